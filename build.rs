//! Link settings of the `ferrobase` binary (not of the test binaries).
//!
//! - `-no-pie`: a position-dependent executable, as Go builds PocketBase. Its pointers in read-only data
//!   are fixed at link time, so start-up applies no relocations and those pages stay shared with the file
//!   instead of becoming private copies.
//! - `bench/order/ferrobase.order` (made by `bench/order/gen.sh`): the functions start-up and common
//!   requests run are laid out together, so the code a freshly started server maps is a few hundred
//!   pages instead of pages from all over the binary. Names the list has but the build lacks are skipped.
//!
//! Both only where they are known to work: Linux with glibc (`-no-pie` is an option of the C compiler
//! driver there), and the ordering file only on x86_64, whose default linker is LLD (GNU ld, the default
//! elsewhere, has no `--symbol-ordering-file`). Other targets link as cargo would by default.
fn main() {
    let order =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/order/ferrobase.order");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", order.display());
    let target = std::env::var("TARGET").unwrap_or_default();
    if !target.ends_with("-linux-gnu") {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-no-pie");
    if target == "x86_64-unknown-linux-gnu" && order.is_file() {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}
