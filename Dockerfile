# syntax=docker/dockerfile:1
# ringkv in a container:
#
#   docker build -t ringkv .
#   docker run --rm -p 6379:6379 -v ringkv-data:/data ringkv
#   docker run --rm -p 6379:6379 ringkv java -jar ringkv-server.jar --bind 0.0.0.0 --requirepass secret
#
# Extra JVM options: docker run -e JAVA_TOOL_OPTIONS=-Xmx4g ...
#
# The same image runs the Kubernetes StatefulSet of deploy/kubernetes: its pods use
# /opt/ringkv/bin/ringkv-pod-start as their command instead of the CMD below (one node), and
# the decommission and readiness scripts next to it (deploy/kubernetes/README.md).

# ---- build: Maven 3.9 on Temurin 21 ----
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY storage storage
COPY cluster cluster
COPY server server
COPY compat-tests compat-tests
# The cache mount keeps downloaded dependencies (and the wrapper's Maven) between builds.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -DskipTests package \
    && cp server/target/ringkv-server.jar /ringkv-server.jar

# ---- runtime: a JRE only ----
FROM eclipse-temurin:21-jre
# A fixed uid/gid, so that a pod's securityContext (runAsUser, fsGroup) can name them.
# curl: the preStop hook asks the Kubernetes API whether its pod is scaled away or restarted.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 ringkv \
    && useradd --system --uid 10001 --gid ringkv --home-dir /data ringkv \
    && mkdir -p /data && chown ringkv:ringkv /data
WORKDIR /opt/ringkv
COPY --from=build /ringkv-server.jar ./ringkv-server.jar
COPY redis.conf.example ./redis.conf.example
COPY --chmod=0755 deploy/kubernetes/scripts/ ./bin/
ENV PATH=/opt/ringkv/bin:$PATH
USER 10001:10001
# Clients, the cluster bus (port + 10000), Prometheus metrics and health checks.
EXPOSE 6379 16379 9121
VOLUME /data
# The jar's manifest enables native access for Netty's epoll/io_uring transports. Exec form, so
# the JVM is PID 1 and receives SIGTERM from `docker stop` directly (a clean shutdown).
# Listening on all addresses is what a container needs (the port is published by the runtime);
# set a password (--requirepass) before publishing it beyond the host.
CMD ["java", "-jar", "ringkv-server.jar", "--bind", "0.0.0.0", "--dir", "/data"]
