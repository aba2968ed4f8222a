//! The disclosure policy: the one place that decides which figures may be published.
//!
//! `docs/DISCLOSURE.md` states the policy in words; this module is its only implementation.
//! A figure that may rest on few persons reaches a face (a page, the API, a download, the CLI's
//! text) only as a [`Published`] value, and a `Published` value that shows a number can only be
//! made by a [`Policy`] method that has checked it. Faces match on [`Published::view`]; there is
//! no way to get a suppressed number back out.
//!
//! The rules, in the order they are applied to one area-year ([`Policy::area_year`]):
//!
//! 1. **Counts** of persons under the minimum count (default 5) are suppressed, zero included.
//! 2. **Shares and means** are suppressed when the group they are of is under the minimum, or
//!    when the persons they count (share × group / 100) are under it.
//! 3. **Secondary suppression of nested groups**: when two shown group sizes differ by less
//!    than the minimum (`residents − persons_18_plus` = 3 children), the smaller group is
//!    suppressed as well, until no such pair is left.
//! 4. **Figures derived from a suppressed one** follow it: a criterion's difference to its
//!    threshold follows its value; a margin in persons needs both the share and its group shown
//!    (the margin and the share together give the group size); a what-if value after a change
//!    needs the value before, the group and the persons after all shown.

use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// The minimum count of persons behind any published figure, unless configured otherwise.
pub const DEFAULT_MIN_COUNT: u64 = 5;

/// A figure as it may be published: shown, suppressed (with the minimum it was held against)
/// or missing in the data.
///
/// Only [`Policy`] makes a shown value of a confidential figure; the variants are private so
/// that nothing else can. Serialised as the value itself, as `null` when missing, and as
/// `{"suppressed": true, "min_count": N}` when suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published<T>(State<T>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum State<T> {
    Shown(T),
    Suppressed(u64),
    Missing,
}

/// What a face sees of a [`Published`] value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View<'a, T> {
    /// The figure may be shown.
    Shown(&'a T),
    /// The figure rests on fewer than `min_count` persons and is replaced by a mark.
    Suppressed {
        /// The minimum count it was held against.
        min_count: u64,
    },
    /// The data do not have the figure.
    Missing,
}

impl<T> Published<T> {
    /// A figure the data do not have.
    pub fn missing() -> Published<T> {
        Published(State::Missing)
    }

    pub(crate) fn shown_unchecked(value: T) -> Published<T> {
        Published(State::Shown(value))
    }

    /// What a face may render.
    pub fn view(&self) -> View<'_, T> {
        match &self.0 {
            State::Shown(v) => View::Shown(v),
            State::Suppressed(m) => View::Suppressed { min_count: *m },
            State::Missing => View::Missing,
        }
    }

    /// The value, when it may be shown.
    pub fn shown(&self) -> Option<&T> {
        match &self.0 {
            State::Shown(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the figure is suppressed.
    pub fn is_suppressed(&self) -> bool {
        matches!(self.0, State::Suppressed(_))
    }

    /// A figure computed from this one alone: shown when this one is, suppressed when it is.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Published<U> {
        Published(match self.0 {
            State::Shown(v) => State::Shown(f(v)),
            State::Suppressed(m) => State::Suppressed(m),
            State::Missing => State::Missing,
        })
    }

    /// This figure, suppressed too when `other` is (a figure from which it could be
    /// recomputed, or which it could reveal).
    pub fn unless_suppressed<U>(self, other: &Published<U>) -> Published<T> {
        match other.0 {
            State::Suppressed(m) if !matches!(self.0, State::Missing) => {
                Published(State::Suppressed(m))
            }
            _ => self,
        }
    }

    /// The same figure, suppressed whatever it is (a secondary suppression the caller decided
    /// from figures shown beside it); a missing figure stays missing.
    pub fn suppressed_by(self, policy: &Policy) -> Published<T> {
        match self.0 {
            State::Missing => self,
            _ => Published(State::Suppressed(policy.min_count)),
        }
    }
}

impl<T: Serialize> Serialize for Published<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            State::Shown(v) => v.serialize(s),
            State::Missing => s.serialize_none(),
            State::Suppressed(m) => {
                let mut st = s.serialize_struct("Suppressed", 2)?;
                st.serialize_field("suppressed", &true)?;
                st.serialize_field("min_count", m)?;
                st.end()
            }
        }
    }
}

/// The disclosure policy: the minimum count of persons behind any published figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    min_count: u64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::new(DEFAULT_MIN_COUNT)
    }
}

impl Policy {
    /// A policy with this minimum count (at least 1).
    pub fn new(min_count: u64) -> Policy {
        Policy {
            min_count: min_count.max(1),
        }
    }

    /// The minimum count.
    pub fn min_count(&self) -> u64 {
        self.min_count
    }

    fn suppressed<T>(&self) -> Published<T> {
        Published(State::Suppressed(self.min_count))
    }

    /// Whether a count of persons (whole or in full-time persons) is under the minimum,
    /// compared exactly: 4.5 full-time persons are fewer than 5.
    pub fn is_small(&self, count: Decimal) -> bool {
        count < Decimal::from(self.min_count)
    }

    /// A figure that rests on no person's data (a threshold, a national average, a list
    /// year, a count of areas): always shown.
    pub fn public<T>(&self, value: T) -> Published<T> {
        Published(State::Shown(value))
    }

    /// A count of persons: suppressed under the minimum.
    pub fn count(&self, count: Option<Decimal>) -> Published<Decimal> {
        match count {
            None => Published::missing(),
            Some(c) if self.is_small(c) => self.suppressed(),
            Some(c) => Published(State::Shown(c)),
        }
    }

    /// A whole count of persons: suppressed under the minimum.
    pub fn count_whole(&self, count: Option<u64>) -> Published<u64> {
        match count {
            None => Published::missing(),
            Some(c) if c < self.min_count => self.suppressed(),
            Some(c) => Published(State::Shown(c)),
        }
    }

    /// A share in per cent of a group: suppressed when the group, or the persons the share
    /// counts (share × group / 100, exactly), is under the minimum, or when the group is unknown.
    pub fn share(&self, pct: Option<Decimal>, group: Option<Decimal>) -> Published<Decimal> {
        let Some(pct) = pct else {
            return Published::missing();
        };
        match group {
            Some(g) if !self.is_small(g) && !self.is_small(pct * g / Decimal::ONE_HUNDRED) => {
                Published(State::Shown(pct))
            }
            _ => self.suppressed(),
        }
    }

    /// A mean (or a mean relative to a reference) over a group: suppressed when the group is
    /// under the minimum or unknown.
    pub fn mean(&self, value: Option<Decimal>, group: Option<Decimal>) -> Published<Decimal> {
        let Some(value) = value else {
            return Published::missing();
        };
        match group {
            Some(g) if !self.is_small(g) => Published(State::Shown(value)),
            _ => self.suppressed(),
        }
    }

    /// A figure checked by the caller against this policy's rules in a way this module does
    /// not model (for example a rate whose numerator and denominator the caller has tested
    /// with [`Policy::is_small`]): shown when `safe`, suppressed otherwise.
    pub fn checked<T>(&self, value: Option<T>, safe: bool) -> Published<T> {
        match value {
            None => Published::missing(),
            Some(v) if safe => Published(State::Shown(v)),
            Some(_) => self.suppressed(),
        }
    }
}

/// A figure of exact decimal text that may be confidential, as the API serves it.
pub type PublishedDecimal = Published<Decimal>;

/// The text of an exact decimal as kvarter serves it (`"2.40"`, `"-0.5"`, `"1500"`): never an
/// exponent, never a float.
pub const DECIMAL_PATTERN: &str = r"^-?[0-9]+(\.[0-9]+)?$";

/// The OpenAPI schema of [`Published`] (feature `openapi`): exactly one of three disjoint
/// shapes matches any value, a decimal string (the figure), the suppression mark (an object)
/// or `null` (missing), so a validator never finds a value matching two branches.
#[cfg(feature = "openapi")]
mod openapi {
    use super::{DECIMAL_PATTERN, Decimal, Published};
    use std::borrow::Cow;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{
        AdditionalProperties, ObjectBuilder, OneOfBuilder, Ref, Schema, Type,
    };

    /// The schema of the suppression mark `{"suppressed": true, "min_count": N}`.
    pub struct Suppressed;

    impl utoipa::PartialSchema for Suppressed {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "In place of a figure that rests on fewer persons than the minimum count \
                     (docs/DISCLOSURE.md).",
                ))
                .property(
                    "suppressed",
                    ObjectBuilder::new()
                        .schema_type(Type::Boolean)
                        .enum_values(Some([true])),
                )
                .required("suppressed")
                .property(
                    "min_count",
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(1)),
                )
                .required("min_count")
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
                .into()
        }
    }

    impl utoipa::ToSchema for Suppressed {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("Suppressed")
        }
    }

    impl utoipa::PartialSchema for Published<Decimal> {
        fn schema() -> RefOr<Schema> {
            OneOfBuilder::new()
                .description(Some(
                    "A figure that may rest on few persons: the exact decimal as text when it \
                     may be shown, the suppression mark when it rests on fewer persons than the \
                     minimum count, null when the data do not have it.",
                ))
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(DECIMAL_PATTERN)),
                )
                .item(Ref::from_schema_name("Suppressed"))
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .into()
        }
    }

    impl utoipa::ToSchema for Published<Decimal> {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("PublishedDecimal")
        }

        fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            use utoipa::PartialSchema;
            schemas.push(("Suppressed".to_string(), Suppressed::schema()));
        }
    }
}

#[cfg(feature = "openapi")]
pub use openapi::Suppressed;

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn counts_under_the_minimum_are_suppressed_zero_included() {
        let p = Policy::default();
        for n in ["0", "1", "4", "4.5", "4.99"] {
            assert!(p.count(Some(d(n))).is_suppressed(), "{n}");
        }
        assert_eq!(p.count(Some(d("5"))).shown(), Some(&d("5")));
        assert_eq!(p.count(None).view(), View::Missing);
    }

    #[test]
    fn a_share_needs_its_group_and_its_numerator_at_the_minimum() {
        let p = Policy::default();
        // 3 of 4 persons: the group is small.
        assert!(p.share(Some(d("75.00")), Some(d("4"))).is_suppressed());
        // 1.50 % of 200 = 3 persons: the numerator is small.
        assert!(p.share(Some(d("1.50")), Some(d("200"))).is_suppressed());
        // 2.50 % of 200 = 5 persons: shown.
        assert_eq!(
            p.share(Some(d("2.50")), Some(d("200"))).shown(),
            Some(&d("2.50"))
        );
        // 0 % of 200: nobody, which is a count under the minimum too.
        assert!(p.share(Some(d("0")), Some(d("200"))).is_suppressed());
        // An unknown group: the share cannot be shown safe.
        assert!(p.share(Some(d("50")), None).is_suppressed());
    }

    #[test]
    fn a_mean_needs_its_group_at_the_minimum() {
        let p = Policy::new(5);
        assert!(p.mean(Some(d("81.2")), Some(d("4"))).is_suppressed());
        assert!(p.mean(Some(d("81.2")), Some(d("5"))).shown().is_some());
    }

    #[test]
    fn the_json_of_a_suppressed_figure_is_the_mark() {
        let p = Policy::new(5);
        assert_eq!(
            serde_json::to_string(&p.count(Some(d("3")))).unwrap(),
            r#"{"suppressed":true,"min_count":5}"#
        );
        assert_eq!(
            serde_json::to_string(&p.count(Some(d("30")))).unwrap(),
            r#""30""#
        );
        assert_eq!(serde_json::to_string(&p.count(None)).unwrap(), "null");
    }

    #[test]
    fn derived_figures_follow_what_they_reveal() {
        let p = Policy::new(5);
        let hidden = p.count(Some(d("2")));
        assert!(
            p.public(d("1.5"))
                .unless_suppressed(&hidden)
                .is_suppressed()
        );
        assert!(
            Published::<Decimal>::missing()
                .unless_suppressed(&hidden)
                .shown()
                .is_none()
        );
        assert!(
            !Published::<Decimal>::missing()
                .unless_suppressed(&hidden)
                .is_suppressed()
        );
        assert!(hidden.map(|v| v * d("2")).is_suppressed());
    }
}
