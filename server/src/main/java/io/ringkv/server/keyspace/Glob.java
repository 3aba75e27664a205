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
        if (string.length == 0) {
            // Redis's loop runs only while both pattern and string remain, and skips trailing
            // '*'s only when the string runs out inside it: an empty string therefore matches
            // only the empty pattern ("*" does not match ""). KEYS * and SCAN MATCH * bypass the
            // matcher, so they still return an empty key name.
            return pattern.length == 0;
        }
        return match(pattern, 0, string, 0, noCase, 0, new boolean[1]);
    }

    public static boolean matches(String pattern, String string, boolean noCase) {
        return matches(pattern.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            string.getBytes(java.nio.charset.StandardCharsets.UTF_8), noCase);
    }

    /** True for the pattern "*", which every key matches; lets callers skip matching. */
    public static boolean matchesEverything(byte[] pattern) {
        return pattern.length == 1 && pattern[0] == '*';
    }

    /**
     * @param skipLongerMatches Redis's pruning (the fix for CVE-2022-36021): once the rest of the
     *     pattern after a '*' has failed to match from every position of the rest of the string,
     *     no earlier '*' can help by matching more, so every pending '*' gives up at once. Without
     *     it a pattern like "*a*a*a*a*a*b" takes exponential time.
     */
    private static boolean match(byte[] p, int pi, byte[] s, int si, boolean noCase, int depth,
        boolean[] skipLongerMatches) {
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
                        if (match(p, pi + 1, s, k, noCase, depth + 1, skipLongerMatches)) {
                            return true;
                        }
                        if (skipLongerMatches[0]) {
                            return false;
                        }
                    }
                    skipLongerMatches[0] = true;
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
                            // Signed, as C's char on the platforms Redis runs on: a range
                            // that crosses 0x7F/0x80 behaves as it does in Redis.
                            int start = p[pi];
                            int end = p[pi + 2];
                            int c = s[si];
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (noCase) {
                                start = toLower(start);
                                end = toLower(end);
                                c = toLower(c);
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
        if (si == s.length) {
            while (pi < p.length && p[pi] == '*') {
                pi++;
            }
        }
        return pi == p.length && si == s.length;
    }

    private static boolean equal(byte a, byte b, boolean noCase) {
        return a == b || (noCase && toLower(a) == toLower(b));
    }

    /** C's tolower in the "C" locale: ASCII letters only, so no byte above 0x7F ever folds. */
    private static int toLower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
