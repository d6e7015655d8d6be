//! Random strings from simple autogenerate regexes (`[a-z0-9]{15}`, `pre-[A-Z]{5}`): literals, escapes,
//! character classes with ranges, and `{n}`, `{n,m}`, `{n,}`, `?`, `*`, `+` quantifiers.

use rand::Rng;

/// Most repetitions one quantifier may ask for (Go's regexp limit).
const MAX_REPEAT: usize = 1000;
/// Extra repetitions allowed by open-ended quantifiers (`*`, `+`, `{n,}`).
const OPEN_EXTRA: usize = 10;
/// Longest string this generator produces.
const MAX_LEN: usize = 100_000;

/// One position of the pattern: a set of character ranges and how many times to draw from it.
struct Atom {
    ranges: Vec<(char, char)>,
    min: usize,
    max: usize,
}

/// A random string matching `pattern`, or `None` when the pattern uses syntax this generator does not
/// support (groups, alternation, `.`, negated classes, anchors in the middle...) or would be too long.
/// A leading `^` and a trailing `$` are accepted and ignored.
pub fn generate_from_pattern(pattern: &str) -> Option<String> {
    let atoms = parse(pattern)?;
    let mut rng = rand::thread_rng();
    let mut out = String::new();
    for atom in &atoms {
        let count = if atom.min == atom.max {
            atom.min
        } else {
            rng.gen_range(atom.min..=atom.max)
        };
        let total: u64 = atom
            .ranges
            .iter()
            .map(|(a, b)| u64::from(*b as u32 - *a as u32) + 1)
            .sum();
        for _ in 0..count {
            let mut pick = rng.gen_range(0..total);
            for (a, b) in &atom.ranges {
                let size = u64::from(*b as u32 - *a as u32) + 1;
                if pick < size {
                    let code = u32::try_from(u64::from(*a as u32) + pick).unwrap_or(0);
                    if let Some(c) = char::from_u32(code) {
                        out.push(c);
                    }
                    break;
                }
                pick -= size;
            }
        }
    }
    Some(out)
}

fn parse(pattern: &str) -> Option<Vec<Atom>> {
    let mut chars: Vec<char> = pattern.chars().collect();
    if chars.first() == Some(&'^') {
        chars.remove(0);
    }
    if chars.last() == Some(&'$') && !(chars.len() >= 2 && chars[chars.len() - 2] == '\\') {
        chars.pop();
    }
    let mut atoms: Vec<Atom> = Vec::new();
    let mut i = 0;
    let mut max_len = 0usize;
    while i < chars.len() {
        let ranges = match chars[i] {
            '[' => {
                let (ranges, next) = parse_class(&chars, i + 1)?;
                i = next;
                ranges
            }
            '\\' => {
                let (ranges, next) = parse_escape(&chars, i + 1)?;
                i = next;
                ranges
            }
            '(' | ')' | '|' | '.' | '^' | '$' | '{' | '}' | '?' | '*' | '+' | ']' => return None,
            c => {
                i += 1;
                vec![(c, c)]
            }
        };
        let (min, max, next) = parse_quantifier(&chars, i)?;
        i = next;
        if ranges.is_empty() {
            return None;
        }
        max_len = max_len.saturating_add(max);
        if max_len > MAX_LEN {
            return None;
        }
        atoms.push(Atom { ranges, min, max });
    }
    Some(atoms)
}

/// Parses a class body starting after `[`; returns its ranges and the index after `]`.
fn parse_class(chars: &[char], mut i: usize) -> Option<(Vec<(char, char)>, usize)> {
    if chars.get(i) == Some(&'^') {
        return None;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(i)?;
        if c == ']' && !first {
            return Some((ranges, i + 1));
        }
        first = false;
        let (lo_set, next) = class_item(chars, i)?;
        i = next;
        // a range `x-y` (a `-` right before `]` is a literal)
        if let [(lo, lo2)] = lo_set.as_slice() {
            if lo == lo2
                && chars.get(i) == Some(&'-')
                && chars.get(i + 1).is_some_and(|c| *c != ']')
            {
                let (hi_set, next) = class_item(chars, i + 1)?;
                match hi_set.as_slice() {
                    [(hi, hi2)] if hi == hi2 && hi >= lo => ranges.push((*lo, *hi)),
                    _ => return None,
                }
                i = next;
                continue;
            }
        }
        ranges.extend(lo_set);
    }
}

/// One class member: a literal char or an escape; returns its ranges and the next index.
fn class_item(chars: &[char], i: usize) -> Option<(Vec<(char, char)>, usize)> {
    match *chars.get(i)? {
        '\\' => parse_escape(chars, i + 1),
        '[' if chars.get(i + 1) == Some(&':') => None,
        c => Some((vec![(c, c)], i + 1)),
    }
}

/// Parses an escape starting after `\`: `\d`, `\w`, or an escaped punctuation character.
fn parse_escape(chars: &[char], i: usize) -> Option<(Vec<(char, char)>, usize)> {
    let c = *chars.get(i)?;
    let ranges = match c {
        'd' => vec![('0', '9')],
        'w' => vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        'n' => vec![('\n', '\n')],
        't' => vec![('\t', '\t')],
        c if c.is_ascii_punctuation() => vec![(c, c)],
        _ => return None,
    };
    Some((ranges, i + 1))
}

/// Parses an optional quantifier at `i`; returns `(min, max, next index)`. A trailing lazy `?` is ignored.
fn parse_quantifier(chars: &[char], i: usize) -> Option<(usize, usize, usize)> {
    let (min, max, mut next) = match chars.get(i) {
        Some('?') => (0, 1, i + 1),
        Some('*') => (0, OPEN_EXTRA, i + 1),
        Some('+') => (1, 1 + OPEN_EXTRA, i + 1),
        Some('{') => {
            let close = i + chars[i..].iter().position(|c| *c == '}')?;
            let body: String = chars[i + 1..close].iter().collect();
            let (min, max) = match body.split_once(',') {
                None => {
                    let n = parse_count(&body)?;
                    (n, n)
                }
                Some((lo, "")) => {
                    let n = parse_count(lo)?;
                    (n, n + OPEN_EXTRA)
                }
                Some((lo, hi)) => (parse_count(lo)?, parse_count(hi)?),
            };
            if min > max {
                return None;
            }
            (min, max, close + 1)
        }
        _ => return Some((1, 1, i)),
    };
    if chars.get(next) == Some(&'?') {
        next += 1;
    }
    if matches!(chars.get(next), Some('?' | '*' | '+' | '{')) {
        return None;
    }
    Some((min, max, next))
}

fn parse_count(s: &str) -> Option<usize> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: usize = s.parse().ok()?;
    (n <= MAX_REPEAT).then_some(n)
}
