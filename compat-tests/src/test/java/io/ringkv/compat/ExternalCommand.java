package io.ringkv.compat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line tool (redis-cli, redis-benchmark) to completion with a hard time limit.
 * Standard output and error go to files, not pipes, so a chatty tool can never block on a full
 * pipe while the test waits for it; a tool still running at the deadline is killed and the test
 * fails with what it had printed.
 */
final class ExternalCommand {

    /** What a finished tool left: its exit status and everything it printed. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exitCode + "\n--- stdout:\n" + abbreviate(stdout)
                + "\n--- stderr:\n" + abbreviate(stderr);
        }

        private static String abbreviate(String s) {
            return s.length() <= 4000 ? s : s.substring(0, 4000) + "... (" + s.length() + " chars)";
        }
    }

    private ExternalCommand() {
    }

    /** True if {@code tool} is an executable file on the PATH. */
    static boolean installed(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        return run(timeout, null, List.of(command));
    }

    /**
     * Runs {@code command} with {@code stdin} (a file, or nothing: an empty input) and waits at most
     * {@code timeout}; throws AssertionError if the tool had to be killed.
     */
    static Result run(Duration timeout, Path stdin, List<String> command) throws IOException, InterruptedException {
        return run(timeout, stdin, Map.of(), command);
    }

    /**
     * As {@link #run(Duration, Path, List)}, with {@code env} added to the tool's environment; a
     * null value removes that variable.
     */
    static Result run(Duration timeout, Path stdin, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectories(Path.of("target", "tools"));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        env.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        } else {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeout + ": " + new Result(command, -1,
                    text(out), text(err)));
            }
            return new Result(command, process.exitValue(), text(out),
                text(err));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A file's text; bytes that are not UTF-8 (a binary value printed raw) are replaced, not fatal. */
    private static String text(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
