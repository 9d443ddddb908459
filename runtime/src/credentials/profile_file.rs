//! The shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`): where
//! they are, how they are parsed, and how a profile's properties are merged from both.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Env;

/// The active profile's name: `AWS_PROFILE`, else `default`.
pub(crate) fn profile_name(env: &Env) -> String {
    env.get("AWS_PROFILE")
        .unwrap_or_else(|| "default".to_owned())
}

/// Properties of one profile: lowercase keys to values.
pub(crate) type Properties = BTreeMap<String, String>;

/// The two shared files, parsed; missing files are empty.
pub(crate) struct ProfileFiles {
    config: Option<(PathBuf, Result<Vec<Section>, String>)>,
    credentials: Option<(PathBuf, Result<Vec<Section>, String>)>,
}

impl ProfileFiles {
    pub(crate) fn load(env: &Env) -> Self {
        let read = |path: Option<PathBuf>| {
            path.map(|path| {
                let parsed = read_file(&path).map(|text| parse_ini(&text));
                (path, parsed)
            })
        };
        ProfileFiles {
            config: read(env.aws_file("AWS_CONFIG_FILE", "config")),
            credentials: read(env.aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")),
        }
    }

    /// The profile's merged properties, or `None` if neither file has it.
    pub(crate) fn profile(&self, name: &str) -> Option<Properties> {
        let mut found = false;
        let mut properties = Properties::new();
        if let Some((_, Ok(sections))) = &self.config {
            // In the config file a profile is `[profile name]`; `default` may also be
            // `[default]`, which `[profile default]` overrides.
            let plain_default = name == "default";
            for pass in [true, false] {
                for section in sections {
                    let matches = if pass {
                        plain_default && section.name == "default"
                    } else {
                        section.profile_name() == Some(name)
                    };
                    if matches {
                        found = true;
                        properties.extend(section.properties.clone());
                    }
                }
            }
        }
        if let Some((_, Ok(sections))) = &self.credentials {
            // In the credentials file a profile is `[name]`.
            for section in sections.iter().filter(|s| s.name == name) {
                found = true;
                properties.extend(section.properties.clone());
            }
        }
        found.then_some(properties)
    }

    /// The properties of a config-file section `[kind name]` (`[sso-session corp]`,
    /// `[services local]`), merged when it appears more than once.
    pub(crate) fn section(&self, kind: &str, name: &str) -> Option<Properties> {
        let Some((_, Ok(sections))) = &self.config else {
            return None;
        };
        let mut found = false;
        let mut properties = Properties::new();
        for section in sections {
            if section.kind_and_name() == Some((kind, name)) {
                found = true;
                properties.extend(section.properties.clone());
            }
        }
        found.then_some(properties)
    }

    pub(crate) fn describe(&self) -> String {
        let one = |file: &Option<(PathBuf, Result<Vec<Section>, String>)>, what: &str| match file {
            None => format!("{what} file (no home directory to find it)"),
            Some((path, Ok(_))) => path.display().to_string(),
            Some((path, Err(reason))) => format!("{} ({reason})", path.display()),
        };
        format!(
            "{} and {}",
            one(&self.credentials, "credentials"),
            one(&self.config, "config")
        )
    }
}

/// The nested sub-properties in a property's value (`s3 =` followed by indented
/// `endpoint_url = ...` lines arrives as `endpoint_url = ...` lines): keys lowercase, values
/// trimmed; lines without a key are skipped.
pub(crate) fn sub_properties(value: &str) -> Properties {
    value
        .lines()
        .filter_map(|line| {
            let (key, value) = line.split_once('=')?;
            let key = key.trim().to_ascii_lowercase();
            (!key.is_empty()).then(|| (key, value.trim().to_owned()))
        })
        .collect()
}

fn read_file(path: &Path) -> Result<String, String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err("not found".to_owned()),
        Err(e) => Err(format!("unreadable: {}", e.kind())),
    }
}

/// One `[section]` of a shared config file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Section {
    /// The text between the brackets, trimmed.
    name: String,
    properties: Properties,
}

impl Section {
    /// `name` for a config-file section `[profile name]`.
    fn profile_name(&self) -> Option<&str> {
        match self.kind_and_name() {
            Some(("profile", name)) => Some(name),
            _ => None,
        }
    }

    /// `(kind, name)` for a section `[kind name]` (blanks between them).
    fn kind_and_name(&self) -> Option<(&str, &str)> {
        let (kind, name) = self.name.split_once([' ', '\t'])?;
        Some((kind, name.trim()))
    }
}

/// Parses the AWS shared config/credentials format: `[section]` lines, `key = value`
/// properties (keys compared case-insensitively, stored lowercase), full-line comments
/// starting with `#` or `;`, and inline comments (` #`/` ;`) after a value. An indented line
/// continues the previous property (AWS's nested sub-properties); it is appended to the value
/// on a new line and never read as a property of its own. Malformed lines are skipped.
fn parse_ini(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut last_key: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if indented {
            if let (Some(key), Some(section)) = (&last_key, sections.last_mut())
                && let Some(value) = section.properties.get_mut(key)
            {
                if !value.is_empty() {
                    value.push('\n');
                }
                value.push_str(strip_inline_comment(trimmed));
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            last_key = None;
            match rest.split_once(']') {
                Some((name, after)) => {
                    let after = after.trim();
                    if after.is_empty() || after.starts_with(['#', ';']) {
                        sections.push(Section {
                            name: name.trim().to_owned(),
                            properties: Properties::new(),
                        });
                    } else {
                        sections.push(Section::invalid());
                    }
                }
                None => sections.push(Section::invalid()),
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            last_key = None;
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            last_key = None;
            continue;
        }
        if let Some(section) = sections.last_mut() {
            section
                .properties
                .insert(key.clone(), strip_inline_comment(value.trim()).to_owned());
            last_key = Some(key);
        }
    }
    sections.retain(|s| !s.name.is_empty());
    sections
}

impl Section {
    /// A placeholder for a malformed header: its properties are collected and then dropped.
    fn invalid() -> Self {
        Section {
            name: String::new(),
            properties: Properties::new(),
        }
    }
}

/// Cuts a value at a `#` or `;` that follows whitespace.
fn strip_inline_comment(value: &str) -> &str {
    let mut previous_is_space = false;
    for (i, c) in value.char_indices() {
        if previous_is_space && (c == '#' || c == ';') {
            return value.get(..i).unwrap_or(value).trim_end();
        }
        previous_is_space = c == ' ' || c == '\t';
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Properties {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ini_sections_comments_case_and_whitespace() {
        let text = "top = ignored\n\
                    # comment\n\
                    ; another\n\
                    [default]\n\
                    AWS_Access_Key_ID = AK1   \r\n\
                    region=us-west-2 # trailing comment\n\
                    odd=a#b\n\
                    [  profile   dev  ] ; comment\n\
                    \tcontinuation without property\n\
                    s3 =\n  max_concurrent_requests = 10\n  region = nested\n\
                    output = json\n\
                    not a property\n\
                    = no key\n\
                    [broken\n\
                    aws_access_key_id = lost\n\
                    [default]\n\
                    region = eu-west-1\n";
        let sections = parse_ini(text);
        assert_eq!(
            sections,
            vec![
                Section {
                    name: "default".into(),
                    properties: props(&[
                        ("aws_access_key_id", "AK1"),
                        ("region", "us-west-2"),
                        ("odd", "a#b")
                    ]),
                },
                Section {
                    name: "profile   dev".into(),
                    properties: props(&[
                        ("s3", "max_concurrent_requests = 10\nregion = nested"),
                        ("output", "json")
                    ]),
                },
                Section {
                    name: "default".into(),
                    properties: props(&[("region", "eu-west-1")])
                },
            ]
        );
        assert_eq!(sections.get(1).and_then(Section::profile_name), Some("dev"));
        assert_eq!(sections.first().and_then(Section::profile_name), None);
        let profiledev = Section {
            name: "profiledev".into(),
            properties: Properties::new(),
        };
        assert_eq!(profiledev.profile_name(), None);
    }

    #[test]
    fn nested_sub_properties_are_split_into_keys() {
        let nested = sub_properties("Endpoint_URL = http://a:1/\nbad line\n = x\nregion=eu-west-1");
        assert_eq!(
            nested,
            props(&[("endpoint_url", "http://a:1/"), ("region", "eu-west-1")])
        );
        assert!(sub_properties("").is_empty());
    }

    #[test]
    fn inline_comments_need_preceding_whitespace() {
        assert_eq!(strip_inline_comment("abc ;x"), "abc");
        assert_eq!(strip_inline_comment("abc\t# x"), "abc");
        assert_eq!(strip_inline_comment("a;b#c"), "a;b#c");
        assert_eq!(strip_inline_comment(""), "");
    }
}
