//! The password policy: long enough, and not one that attackers try first.

pub const PASSWORD_CHARS_MIN: usize = 12;
pub const PASSWORD_CHARS_MAX: usize = 256;

/// Passwords of 12 or more characters that appear near the top of published
/// breach lists. Compared case-insensitively, also with trailing digits and
/// punctuation removed.
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "qwertyuiop",
    "qwertyuiopasdf",
    "asdfghjkl",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "zaq12wsxcde3",
    "iloveyou",
    "letmein",
    "welcome",
    "administrator",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "starwars",
    "trustno1",
    "whatever",
    "changeme",
    "monkey",
    "dragon",
    "abcdefghijkl",
    "abc123abc123",
    "qazwsxedcrfv",
    "q1w2e3r4t5y6",
    "masterkey",
    "secretpassword",
    "mypassword",
    "passwordpassword",
    "correcthorsebatterystaple",
    "adminadmin",
    "rootroot",
    "testtest",
    "useruser",
    "seamseam",
    "welcomewelcome",
    "loveyouforever",
    "michaeljordan",
    "computer",
    "internet",
    "samsung",
];

/// Why a password was refused, as a message-catalogue key.
pub fn check(password: &str, username: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < PASSWORD_CHARS_MIN {
        return Err("error-password-short");
    }
    if chars > PASSWORD_CHARS_MAX {
        return Err("error-too-long");
    }
    let lower = password.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    // Digits and punctuation alone are guessed first, whatever their length.
    if stem.is_empty() {
        return Err("error-password-common");
    }
    if COMMON.iter().any(|c| {
        lower == *c
            || stem == *c
            || (stem.len() >= 4 && c.starts_with(stem) && stem.len() * 2 >= c.len())
    }) {
        return Err("error-password-common");
    }
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 || is_sequence(&lower) {
        return Err("error-password-common");
    }
    let user = username.trim().to_lowercase();
    if user.len() >= 3 && lower.contains(&user) {
        return Err("error-password-has-username");
    }
    Ok(())
}

/// `123456789012` or `abcdefghijkl`: every character one step from the last.
fn is_sequence(s: &str) -> bool {
    let bytes = s.as_bytes();
    let steps: Vec<i16> = bytes
        .windows(2)
        .map(|w| match w {
            [a, b] => i16::from(*b) - i16::from(*a),
            _ => 0,
        })
        .collect();
    steps.iter().all(|d| *d == 1) || steps.iter().all(|d| *d == -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(check("short", "anna"), Err("error-password-short"));
    }

    #[test]
    fn common_passwords_are_refused_even_with_digits_appended() {
        assert_eq!(check("Password1234", "anna"), Err("error-password-common"));
        assert_eq!(check("qwertyuiop!!", "anna"), Err("error-password-common"));
        assert_eq!(check("123456789012", "anna"), Err("error-password-common"));
        assert_eq!(
            check("aaaaaaaaaaaaaaa", "anna"),
            Err("error-password-common")
        );
    }

    #[test]
    fn a_password_containing_the_username_is_refused() {
        assert_eq!(
            check("my name is anna-lisa", "anna-lisa"),
            Err("error-password-has-username")
        );
    }

    #[test]
    fn a_long_unusual_password_is_accepted() {
        assert_eq!(check("ferry lantern oak 42", "anna"), Ok(()));
    }
}
