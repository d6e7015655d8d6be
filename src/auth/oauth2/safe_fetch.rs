//! Downloads of provider-supplied URLs (avatars) that refuse loopback, private, link-local, multicast and
//! unspecified addresses, both for IP literals and for every address a host name resolves to, on every
//! redirect hop. 10 s timeout, 32 MiB cap.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The download size cap.
pub const MAX_BYTES: usize = 32 << 20;

/// True for an address a server-side fetch may reach (public unicast only).
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves host names and keeps only public addresses.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public_ip(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

/// False when the URL's host is an IP literal that is not public.
fn literal_host_allowed(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    match host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        Ok(ip) => is_public_ip(ip),
        Err(_) => true,
    }
}

fn client() -> Result<reqwest::Client, String> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("too many redirects")
        } else if !literal_host_allowed(attempt.url()) {
            attempt.error("redirect to a non-public address")
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(policy)
        .dns_resolver(Arc::new(PublicOnly))
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())
}

/// A downloaded file: the last path segment of the URL (or `avatar`) and its bytes.
#[derive(Debug, Clone)]
pub struct Download {
    pub filename: String,
    pub bytes: bytes::Bytes,
}

/// Downloads `raw_url` if it is an http(s) URL on a public address and no larger than `MAX_BYTES`.
pub async fn download(raw_url: &str) -> Result<Download, String> {
    let url = reqwest::Url::parse(raw_url).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http(s) URLs are fetched".into());
    }
    if !literal_host_allowed(&url) {
        return Err("refusing a non-public address".into());
    }
    let mut resp = client()?
        .get(url.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !resp.status().is_success() {
        return Err(format!("status {}", resp.status()));
    }
    if resp
        .content_length()
        .is_some_and(|n| n as usize > MAX_BYTES)
    {
        return Err("file too large".into());
    }
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        if buf.len() + chunk.len() > MAX_BYTES {
            return Err("file too large".into());
        }
        buf.extend_from_slice(&chunk);
    }
    let filename = url
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_string))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "avatar".into());
    Ok(Download {
        filename,
        bytes: buf.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_unicast_addresses_pass() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public_ip(bad.parse().unwrap()), "{bad}");
        }
        for good in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public_ip(good.parse().unwrap()), "{good}");
        }
    }

    #[tokio::test]
    async fn loopback_and_private_urls_are_refused_before_connecting() {
        for url in [
            "http://127.0.0.1:9/a.png",
            "http://[::1]:9/a.png",
            "http://10.0.0.1/a.png",
            "http://localhost:9/a.png",
            "file:///etc/passwd",
        ] {
            assert!(download(url).await.is_err(), "{url}");
        }
    }
}
