//! The HTML page every mail body is wrapped in (our own minimal, mail-client-safe styling).

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<style>
  html, body { margin: 0; padding: 0; background: #ffffff; color: #1b1d21; }
  body { padding: 24px 28px; font: 14px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
  p { margin: 10px 0; }
  a { color: inherit; }
  em, i { font-style: italic; }
  strong { font-weight: bold; }
  small { font-size: 12px; }
  hr { border: 0; height: 1px; background: #dde1e6; margin: 12px 0; }
  .btn { display: inline-block; padding: 0 22px; line-height: 40px; min-width: 140px; text-align: center;
         border-radius: 6px; background: #1b1d21 !important; color: #ffffff !important;
         text-decoration: none !important; font-weight: bold; }
  .hidden { display: none !important; }
</style>
</head>
<body>
"#;

const FOOT: &str = "\n</body>\n</html>\n";

/// Wraps a rendered template body in the mail layout.
pub fn wrap(body: &str) -> String {
    let mut out = String::with_capacity(HEAD.len() + body.len() + FOOT.len());
    out.push_str(HEAD);
    out.push_str(body);
    out.push_str(FOOT);
    out
}
