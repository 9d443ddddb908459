//! The runtime's fast pattern matchers, as the generator derives them, against `regress`.

use anvil_codegen::pattern::{FastMatcher, FastStep, fast_matcher};
use anvil_runtime::pattern::{AsciiSet, Fast, Pattern, Step};

fn leak_steps(steps: &[FastStep]) -> &'static [Step] {
    let steps: Vec<Step> = steps
        .iter()
        .map(|s| match s {
            FastStep::Run { bits, min, max } => {
                Step::run(Box::leak(Box::new(AsciiSet::from_bits(*bits))), *min, *max)
            }
            FastStep::Repeat { block, min, max } => Step::repeat(leak_steps(block), *min, *max),
        })
        .collect();
    Box::leak(steps.into_boxed_slice())
}

fn samples(alphabet: &[char], seed: u64, count: usize) -> Vec<String> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = usize::try_from(next() % 80).unwrap_or(0);
            (0..len)
                .map(|_| {
                    let i = usize::try_from(next() % alphabet.len() as u64).unwrap_or(0);
                    alphabet.get(i).copied().unwrap_or('a')
                })
                .collect()
        })
        .collect()
}

#[test]
fn runtime_fast_matchers_agree_with_regress() {
    let patterns = [
        "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
        "^[\\s\\S]*$",
        "^[^_][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_]+$",
        "^arn:[\\w+=\\/,.@-]+:[a-zA-Z0-9\\-]+:[a-zA-Z0-9\\-]*:[a-zA-Z0-9]{1,12}:[a-zA-Z]+(\\/[a-fA-F0-9\\-]{36})+$",
        "^[a-z]{2,4}(\\/[0-9]{3}){1,2}$",
        "^[\\w-]{1,5}\\.[a-z]+$",
        "^\\S{0,20}$",
        "^(?:ab){2}c?$",
    ];
    let mixed: Vec<char> = "aAbBcz09_-./:=+@ \t\n\r,éÉ\u{301}\u{a0}\u{2028}\u{3000}日😀Σ$#"
        .chars()
        .collect();
    let arnish: Vec<char> = "arn:aws/-0123456789abcdefABCDEF".chars().collect();
    let ascii: Vec<char> = (0u8..128).map(char::from).collect();
    for (n, p) in patterns.iter().enumerate() {
        let fast = match fast_matcher(p, true) {
            Some(FastMatcher::Any) => Fast::Any,
            Some(FastMatcher::Ascii(steps)) => Fast::Ascii(leak_steps(&steps)),
            None => panic!("{p} not recognised"),
        };
        let source: &'static str = Box::leak(p.to_string().into_boxed_str());
        let pattern = Pattern::with_fast(source, true, fast);
        let seed = n as u64;
        let mut inputs = samples(&mixed, 0x1234 + seed, 4000);
        inputs.extend(samples(&arnish, 0x9876 + seed, 4000));
        inputs.extend(samples(&ascii, 0x5555 + seed, 4000));
        let mut arn = String::from("arn:aws:workspaces-web:us-east-1:123456789012:portal");
        for _ in 0..54 {
            arn.push_str("/11111111-2222-3333-4444-555555555555");
        }
        inputs.push(arn.clone());
        inputs.push(format!("{arn}/"));
        inputs.push(format!("{arn}é"));
        inputs.push(String::new());
        inputs.push("k".repeat(300));
        for s in &inputs {
            assert_eq!(pattern.is_match(s), pattern.regex_match(s), "{p} on {s:?}");
        }
    }
}
