# syntax=docker/dockerfile:1
# ringkv in a container:
#
#   docker build -t ringkv .
#   docker run --rm -p 6379:6379 -v ringkv-data:/data ringkv
#   docker run --rm -p 6379:6379 ringkv java -jar ringkv-server.jar --bind 0.0.0.0 --requirepass secret
#
# Extra JVM options: docker run -e JAVA_TOOL_OPTIONS=-Xmx4g ...

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
RUN groupadd --system ringkv && useradd --system --gid ringkv --home-dir /data ringkv \
    && mkdir -p /data && chown ringkv:ringkv /data
WORKDIR /opt/ringkv
COPY --from=build /ringkv-server.jar ./ringkv-server.jar
COPY redis.conf.example ./redis.conf.example
USER ringkv
EXPOSE 6379
VOLUME /data
# The jar's manifest enables native access for Netty's epoll/io_uring transports. Exec form, so
# the JVM is PID 1 and receives SIGTERM from `docker stop` directly (a clean shutdown).
# Listening on all addresses is what a container needs (the port is published by the runtime);
# set a password (--requirepass) before publishing it beyond the host.
CMD ["java", "-jar", "ringkv-server.jar", "--bind", "0.0.0.0", "--dir", "/data"]
