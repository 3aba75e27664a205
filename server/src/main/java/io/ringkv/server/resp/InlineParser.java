package io.ringkv.server.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line ("SET key "hello world"") into arguments with the rules of
 * Redis's sdssplitargs: whitespace separates arguments; double quotes allow \n \r \t \b \a \\ \"
 * and \xHH escapes; single quotes allow only \'; a closing quote must be followed by whitespace
 * or the end of the line. Pure function, no state.
 */
public final class InlineParser {

    private InlineParser() {
    }

    /** The arguments, or {@code null} when the quotes are unbalanced. */
    public static byte[][] split(String line) {
        return split(line.getBytes(StandardCharsets.UTF_8));
    }

    /** The arguments of a raw line (any bytes), or {@code null} when the quotes are unbalanced. */
    public static byte[][] split(byte[] in) {
        List<byte[]> args = new ArrayList<>();
        int i = 0;
        int n = in.length;
        while (true) {
            while (i < n && isSpace(in[i])) {
                i++;
            }
            if (i >= n) {
                return args.toArray(new byte[0][]);
            }
            ByteArrayOutputStream current = new ByteArrayOutputStream();
            boolean inDoubleQuotes = false;
            boolean inSingleQuotes = false;
            boolean done = false;
            while (!done) {
                if (inDoubleQuotes) {
                    if (i >= n) {
                        return null;
                    }
                    byte c = in[i];
                    if (c == '\\' && i + 3 < n && in[i + 1] == 'x' && isHex(in[i + 2]) && isHex(in[i + 3])) {
                        current.write(Character.digit(in[i + 2], 16) * 16 + Character.digit(in[i + 3], 16));
                        i += 3;
                    } else if (c == '\\' && i + 1 < n) {
                        i++;
                        current.write(switch (in[i]) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> in[i];
                        });
                    } else if (c == '"') {
                        if (i + 1 < n && !isSpace(in[i + 1])) {
                            return null;
                        }
                        done = true;
                    } else {
                        current.write(c);
                    }
                } else if (inSingleQuotes) {
                    if (i >= n) {
                        return null;
                    }
                    byte c = in[i];
                    if (c == '\\' && i + 1 < n && in[i + 1] == '\'') {
                        i++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (i + 1 < n && !isSpace(in[i + 1])) {
                            return null;
                        }
                        done = true;
                    } else {
                        current.write(c);
                    }
                } else {
                    if (i >= n) {
                        done = true;
                        continue;
                    }
                    byte c = in[i];
                    if (isSpace(c)) {
                        done = true;
                    } else if (c == '"') {
                        inDoubleQuotes = true;
                    } else if (c == '\'') {
                        inSingleQuotes = true;
                    } else {
                        current.write(c);
                    }
                }
                if (i < n) {
                    i++;
                }
            }
            args.add(current.toByteArray());
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0x0B;
    }

    private static boolean isHex(byte c) {
        return Character.digit(c, 16) >= 0;
    }
}
