//! Compile-fail tests of `#[derive(Paginated)]`: every `tests/ui/<category>/<mistake>.rs`
//! must fail with exactly the `.stderr` next to it. rustc's wording changes
//! between releases, so this only runs on the toolchain the files were made with.
//! Regenerate with `TRYBUILD=overwrite cargo test --test ui` and review the diff.

#[rustversion::attr(not(stable(1.95)), ignore)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/**/*.rs");
}
