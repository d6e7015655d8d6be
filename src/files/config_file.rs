//! The optional `pb_config.yaml` beside `pb_data`: its `filesystem` section names an S3 bucket for
//! uploads (`endpoint`, `bucket`, `region`, `accessKey`, `secretKey`, `forcePathStyle`). Only that
//! small subset of YAML is read: a block of `key: value` lines or a `{key: value, ...}` flow map.

use crate::model::settings::S3Config;

/// The file's name, looked up in the parent of the data dir.
pub const CONFIG_FILE: &str = "pb_config.yaml";

/// A scalar without its quotes and trailing comment.
fn scalar(raw: &str) -> String {
    let raw = raw.trim();
    for q in ['"', '\''] {
        if let Some(rest) = raw.strip_prefix(q) {
            if let Some(end) = rest.find(q) {
                return rest[..end].to_string();
            }
        }
    }
    let cut = raw.find(" #").map_or(raw, |i| &raw[..i]);
    cut.trim().to_string()
}

fn apply(c: &mut S3Config, key: &str, value: &str) {
    let v = scalar(value);
    match key.trim() {
        "endpoint" => c.endpoint = v,
        "bucket" => c.bucket = v,
        "region" => c.region = v,
        "accessKey" | "access_key" => c.access_key = v,
        "secretKey" | "secret_key" | "secret" => c.secret = v,
        "forcePathStyle" | "force_path_style" => {
            c.force_path_style = matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "on")
        }
        _ => {}
    }
}

/// The S3 settings of the `filesystem` section (enabled when it names a bucket), or `None`.
pub fn parse_filesystem(text: &str) -> Option<S3Config> {
    let mut lines = text.lines();
    let rest = loop {
        let line = lines.next()?;
        if let Some(rest) = line.strip_prefix("filesystem:") {
            break rest.trim();
        }
    };
    let mut c = S3Config::default();
    if let Some(flow) = rest.strip_prefix('{') {
        let body = flow.rsplit_once('}').map_or(flow, |(b, _)| b);
        for pair in body.split(',') {
            if let Some((k, v)) = pair.split_once(':') {
                apply(&mut c, k, v);
            }
        }
    } else {
        for line in lines {
            let content = line.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if !line.starts_with([' ', '\t']) {
                break;
            }
            if let Some((k, v)) = content.split_once(':') {
                apply(&mut c, k, v);
            }
        }
    }
    c.enabled = !c.bucket.is_empty();
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_block_and_flow_forms() {
        let text = "# storage\nfilesystem:\n  endpoint: \"http://127.0.0.1:9000\"\n  bucket: pics # uploads\n  region: us-east-1\n  accessKey: 'AK'\n  secretKey: SK\n  forcePathStyle: true\nother:\n  bucket: nope\n";
        let c = parse_filesystem(text).unwrap();
        assert!(c.enabled && c.force_path_style);
        assert_eq!(
            (c.endpoint.as_str(), c.bucket.as_str(), c.region.as_str()),
            ("http://127.0.0.1:9000", "pics", "us-east-1")
        );
        assert_eq!((c.access_key.as_str(), c.secret.as_str()), ("AK", "SK"));
        let flow = parse_filesystem(
            "filesystem: {endpoint: s3.test, bucket: b, region: r, accessKey: a, secretKey: s}",
        )
        .unwrap();
        assert_eq!(
            (flow.endpoint.as_str(), flow.bucket.as_str()),
            ("s3.test", "b")
        );
        assert!(!flow.force_path_style);
        assert!(parse_filesystem("meta:\n  appName: x\n").is_none());
        assert!(
            !parse_filesystem("filesystem:\n  region: r\n")
                .unwrap()
                .enabled
        );
    }
}
