//! Error collection: every stage reports into one [`Ctxt`], so a single run
//! shows all independent mistakes, and the driver decides between phases
//! whether to go on.

use std::cell::RefCell;
use std::fmt::Display;
use std::thread;

use quote::ToTokens;

/// Collects the errors of one derive invocation.
///
/// Dropping a `Ctxt` without calling [`Ctxt::check`] panics: an error that was
/// collected but never emitted would silently produce a wrong impl.
pub struct Ctxt {
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt { errors: RefCell::new(Some(Vec::new())) }
    }

    /// An error spanning `tokens` (from their first to their last token).
    pub fn error_spanned_by<T: ToTokens>(&self, tokens: T, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// An error at one span.
    pub fn error_at(&self, span: proc_macro2::Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// An error from a syn parser (possibly holding several messages).
    pub fn syn_error(&self, error: syn::Error) {
        self.push(error);
    }

    /// Whether anything was reported so far; the driver stops between phases
    /// on errors so that one mistake never causes follow-on errors.
    pub fn has_errors(&self) -> bool {
        self.errors.borrow().as_ref().is_some_and(|errors| !errors.is_empty())
    }

    /// Consumes the context: all collected errors combined into one, if any.
    pub fn check(self) -> Result<(), syn::Error> {
        let errors = self.errors.borrow_mut().take().expect("Ctxt::check called twice");
        let mut errors = errors.into_iter();
        let Some(mut combined) = errors.next() else { return Ok(()) };
        for rest in errors {
            combined.combine(rest);
        }
        Err(combined)
    }

    fn push(&self, error: syn::Error) {
        self.errors.borrow_mut().as_mut().expect("Ctxt used after check").push(error);
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        assert!(
            thread::panicking() || self.errors.borrow().is_none(),
            "paginate-derive: Ctxt dropped without check()"
        );
    }
}
