// The java.util.regex oracle for tests/tests/pattern_java.rs.
//
// Run as `java PatternOracle.java` (a single-file program, JDK 11+). Reads lines from stdin:
//   P <hex of the UTF-8 pattern>   compiles a pattern (default flags, as AWS services do)
//   S <hex of the UTF-8 string>    asks whether the current pattern matches (find(), unanchored)
// and writes one line per input line: `ok` or `error <message>` for P, `1` or `0` for S
// (`0` after a pattern that did not compile), or `t` when the match takes more than a
// budget of character reads (catastrophic backtracking): the string is then left out.
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

public class PatternOracle {
    /** Character reads allowed per match. */
    static final long BUDGET = 100_000;

    static final class Timeout extends RuntimeException {
        Timeout() {
            super(null, null, false, false);
        }
    }

    /** A string that throws {@link Timeout} once read too often. */
    static final class Budgeted implements CharSequence {
        final String s;
        long left;

        Budgeted(String s, long left) {
            this.s = s;
            this.left = left;
        }

        public char charAt(int i) {
            if (--left < 0) {
                throw new Timeout();
            }
            return s.charAt(i);
        }

        public int length() {
            return s.length();
        }

        public CharSequence subSequence(int from, int to) {
            return new Budgeted(s.substring(from, to), left);
        }

        public String toString() {
            return s;
        }
    }

    static String unhex(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out =
                new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        Pattern current = null;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("P ")) {
                try {
                    current = Pattern.compile(unhex(line.substring(2)));
                    out.write("ok\n");
                } catch (PatternSyntaxException e) {
                    current = null;
                    out.write("error " + e.getDescription().replace('\n', ' ') + "\n");
                }
            } else if (line.startsWith("S ")) {
                String text = unhex(line.substring(2));
                try {
                    boolean found = current != null && current.matcher(new Budgeted(text, BUDGET)).find();
                    out.write(found ? "1\n" : "0\n");
                } catch (Timeout | StackOverflowError e) {
                    out.write("t\n");
                }
            } else {
                out.write("error bad line\n");
            }
        }
        out.flush();
    }
}
