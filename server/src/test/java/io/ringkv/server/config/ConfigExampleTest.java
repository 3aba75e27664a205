package io.ringkv.server.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps redis.conf.example (at the repository root) and {@link ServerConfig} from drifting apart:
 * the file must parse, document every option the server reads, state each one's default, and say
 * truthfully whether CONFIG SET can change it.
 *
 * <p>Each option is documented by a comment block directly above its directive; the block ends
 * with a line "# CONFIG SET: yes" or "# CONFIG SET: no".
 */
class ConfigExampleTest {

    private static final String FILE_NAME = "redis.conf.example";

    private static String text;
    private static List<String> lines;

    @BeforeAll
    static void readExample() throws IOException {
        Path file = locate();
        text = Files.readString(file, StandardCharsets.UTF_8);
        lines = List.of(text.split("\n", -1));
    }

    /** The file at the repository root, found from wherever the build runs the tests. */
    private static Path locate() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve(FILE_NAME);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new AssertionError(FILE_NAME + " not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void theExampleParses() {
        ServerConfig config = new ServerConfig();
        assertDoesNotThrow(() -> config.loadFile(text));
    }

    @Test
    void everyOptionIsSetToItsDefault() throws ConfigException {
        ServerConfig loaded = new ServerConfig();
        loaded.loadFile(text);
        ServerConfig defaults = new ServerConfig();
        Map<String, String> directives = directives();
        for (String name : ServerConfig.options().keySet()) {
            assertTrue(directives.containsKey(name), FILE_NAME + " has no '" + name + "' directive");
            assertEquals(defaults.get(name), loaded.get(name),
                FILE_NAME + " sets '" + name + "' to something other than its default");
        }
    }

    @Test
    void everyDirectiveIsAnOption() {
        for (String name : directives().keySet()) {
            assertNotNull(ServerConfig.options().get(name), FILE_NAME + " sets unknown option '" + name + "'");
        }
    }

    @Test
    void everyOptionIsDocumentedWithItsMutability() {
        for (ServerConfig.Option option : ServerConfig.options().values()) {
            List<String> comment = commentAbove(option.name());
            assertTrue(comment.size() >= 2, "'" + option.name() + "' needs a comment block above it");
            String expected = "# CONFIG SET: " + (option.mutable() ? "yes" : "no");
            assertTrue(comment.get(comment.size() - 1).startsWith(expected),
                "the comment above '" + option.name() + "' must end with '" + expected + "', found: "
                    + comment.get(comment.size() - 1));
        }
    }

    /**
     * Examples in the comments ("#   requirepass foobared") must be valid too: a reader copies
     * them.
     */
    @Test
    void commentedExamplesAreValid() throws ConfigException {
        int checked = 0;
        for (String line : lines) {
            if (!line.startsWith("#   ")) {
                continue;
            }
            String example = line.substring(1).strip();
            String name = example.split("\\s+")[0].toLowerCase(Locale.ROOT);
            if (ServerConfig.options().containsKey(name)) {
                new ServerConfig().loadFile(example);
                checked++;
            }
        }
        assertTrue(checked > 0, "the examples in comments were not found");
    }

    /** Active (uncommented) directives: name -> the line. */
    private static Map<String, String> directives() {
        Map<String, String> directives = new LinkedHashMap<>();
        for (String line : lines) {
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                continue;
            }
            String name = stripped.split("\\s+")[0].toLowerCase(Locale.ROOT);
            assertTrue(directives.put(name, stripped) == null, "'" + name + "' is set twice");
        }
        return directives;
    }

    /** The comment lines directly above the directive that sets {@code name}. */
    private static List<String> commentAbove(String name) {
        for (int i = 0; i < lines.size(); i++) {
            String stripped = lines.get(i).strip();
            if (!stripped.startsWith("#") && stripped.split("\\s+")[0].equalsIgnoreCase(name)) {
                List<String> comment = new ArrayList<>();
                for (int j = i - 1; j >= 0 && lines.get(j).startsWith("#"); j--) {
                    comment.add(0, lines.get(j));
                }
                return comment;
            }
        }
        throw new AssertionError(FILE_NAME + " has no '" + name + "' directive");
    }
}
