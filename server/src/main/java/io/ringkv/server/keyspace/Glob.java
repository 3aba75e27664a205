package io.ringkv.server.keyspace;

/**
 * Redis's glob-style matcher (util.c stringmatchlen): {@code *}, {@code ?}, {@code [abc]},
 * {@code [^a-z]}, and {@code \} to escape, over raw bytes. Used by KEYS, SCAN MATCH, CONFIG GET
 * and COMMAND LIST FILTERBY PATTERN. Pure, recursive only on '*' (bounded by the pattern).
 */
public final class Glob {

    private Glob() {
    }

    public static boolean matches(byte[] pattern, byte[] string, boolean noCase) {
        return match(pattern, 0, string, 0, noCase, 0);
    }

    public static boolean matches(String pattern, String string, boolean noCase) {
        return matches(pattern.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            string.getBytes(java.nio.charset.StandardCharsets.UTF_8), noCase);
    }

    /** True for the pattern "*", which every key matches; lets callers skip matching. */
    public static boolean matchesEverything(byte[] pattern) {
        return pattern.length == 1 && pattern[0] == '*';
    }

    private static boolean match(byte[] p, int pi, byte[] s, int si, boolean noCase, int depth) {
        if (depth > 1000) {
            // Redis bounds its recursion the same way so that a pathological pattern cannot blow
            // the stack; such a pattern simply fails to match.
            return false;
        }
        while (pi < p.length && si < s.length) {
            switch (p[pi]) {
                case '*' -> {
                    while (pi + 1 < p.length && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length) {
                        return true;
                    }
                    for (int k = si; k < s.length; k++) {
                        if (match(p, pi + 1, s, k, noCase, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> si++;
                case '[' -> {
                    pi++;
                    boolean not = pi < p.length && p[pi] == '^';
                    if (not) {
                        pi++;
                    }
                    boolean found = false;
                    while (true) {
                        if (pi >= p.length) {
                            pi--;
                            break;
                        }
                        if (p[pi] == '\\' && pi + 1 < p.length) {
                            pi++;
                            if (p[pi] == s[si]) {
                                found = true;
                            }
                        } else if (p[pi] == ']') {
                            break;
                        } else if (pi + 2 < p.length && p[pi + 1] == '-') {
                            int start = p[pi] & 0xFF;
                            int end = p[pi + 2] & 0xFF;
                            int c = s[si] & 0xFF;
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (noCase) {
                                start = Character.toLowerCase(start);
                                end = Character.toLowerCase(end);
                                c = Character.toLowerCase(c);
                            }
                            pi += 2;
                            if (c >= start && c <= end) {
                                found = true;
                            }
                        } else if (equal(p[pi], s[si], noCase)) {
                            found = true;
                        }
                        pi++;
                    }
                    if (not) {
                        found = !found;
                    }
                    if (!found) {
                        return false;
                    }
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length) {
                        pi++;
                    }
                    if (!equal(p[pi], s[si], noCase)) {
                        return false;
                    }
                    si++;
                }
                default -> {
                    if (!equal(p[pi], s[si], noCase)) {
                        return false;
                    }
                    si++;
                }
            }
            pi++;
        }
        while (pi < p.length && p[pi] == '*') {
            pi++;
        }
        return pi == p.length && si == s.length;
    }

    private static boolean equal(byte a, byte b, boolean noCase) {
        return a == b || (noCase && Character.toLowerCase(a & 0xFF) == Character.toLowerCase(b & 0xFF));
    }
}
