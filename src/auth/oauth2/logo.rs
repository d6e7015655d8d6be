//! The `logo` of each provider in auth-methods: a small generated SVG badge (the provider's initial on a
//! colour derived from its name), so clients that render `logo` as HTML get a stable picture.

/// The inline SVG badge for a provider.
pub fn badge(name: &str, display_name: &str) -> String {
    let hue = name
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % 360;
    let initial: String = display_name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into());
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 64\">\
<rect width=\"64\" height=\"64\" rx=\"14\" fill=\"hsl({hue},55%,42%)\"/>\
<text x=\"32\" y=\"43\" font-family=\"sans-serif\" font-size=\"30\" font-weight=\"bold\" \
text-anchor=\"middle\" fill=\"#fff\">{initial}</text></svg>"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn badge_is_an_svg_with_the_initial() {
        let svg = super::badge("github", "GitHub");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(">G</text>"));
        assert_ne!(
            svg,
            super::badge("gitlab", "GitHub"),
            "colour follows the name"
        );
        assert!(super::badge("x", "<&>").contains(">?</text>"));
    }
}
