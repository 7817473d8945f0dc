//! `deserialize_with` helpers that read outside JSON the way this widget must: a field of the wrong type reads as
//! absent (or as its type's default), never as an error that would lose the whole answer. They read any
//! self-describing format, so the same derives run over serde-wasm-bindgen in the browser (a `JsValue` from
//! `JSON.parse`) and over serde_json in native tests. Use with `#[serde(default, deserialize_with = "…")]`.

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// The error of the widget's own serde formats (`api::js_de` in, `feed::wire` both ways): which value and why is of
/// no use to lenient readers, so nothing is formatted.
#[derive(Debug)]
pub struct Unreadable;

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("unreadable value")
    }
}

impl std::error::Error for Unreadable {}

impl de::Error for Unreadable {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unreadable
    }
}

impl serde::ser::Error for Unreadable {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unreadable
    }
}

/// What a scalar may become: each kind says which JSON values it takes.
trait Kind: Sized {
    fn from_str(_: &str) -> Option<Self> {
        None
    }
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
}

impl Kind for String {
    fn from_str(s: &str) -> Option<Self> {
        Some(s.to_string())
    }
}

impl Kind for f64 {
    fn from_f64(n: f64) -> Option<Self> {
        n.is_finite().then_some(n)
    }
}

impl Kind for bool {
    fn from_bool(b: bool) -> Option<Self> {
        Some(b)
    }
}

/// An id RingCentral sends as a string in one place and a number in another (`extensionId` vs `extension.id`).
struct Id(String);

impl Kind for Id {
    fn from_str(s: &str) -> Option<Self> {
        Some(Id(s.to_string()))
    }
    fn from_f64(n: f64) -> Option<Self> {
        (n.fract() == 0.0 && n.abs() < 9.0e15).then(|| Id((n as i64).to_string()))
    }
}

struct Scalar<K>(PhantomData<K>);

impl<'de, K: Kind> Visitor<'de> for Scalar<K> {
    type Value = Option<K>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(K::from_str(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(K::from_f64(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(K::from_f64(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(K::from_f64(v as f64))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(K::from_bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// A string, or absent.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(Scalar::<String>(PhantomData))
}

/// A non-empty string, or absent.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(string(d)?.filter(|s| !s.is_empty()))
}

/// A finite number, or absent.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(Scalar::<f64>(PhantomData))
}

/// A boolean, or absent.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(Scalar::<bool>(PhantomData))
}

/// A string or a whole number, as text; or absent.
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(d.deserialize_any(Scalar::<Id>(PhantomData))?.map(|i| i.0))
}

/// An object read as `T` (whose fields are lenient themselves); anything else reads as `T::default()`.
pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(d.deserialize_any(Object::<T>(PhantomData))?
        .unwrap_or_default())
}

/// The `visit_*` methods of a visitor whose value is `None` for every scalar (a string, number, boolean or null).
macro_rules! none_for_scalars {
    () => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
}

struct Object<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for Object<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    none_for_scalars!();
}

/// An array whose items are each read as `object` does (an item that is not an object reads as `T::default()`,
/// which the caller can count as unreadable); `None` when the value is not an array.
pub fn list<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    d.deserialize_any(List::<T>(PhantomData))
}

struct List<T>(PhantomData<T>);

/// `T` read as `object` does, where a type is needed rather than a function (map values, list items).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lenient<T>(pub T);

impl<'de, T: DeserializeOwned + Default> de::Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(Lenient)
    }
}

impl<'de, T: DeserializeOwned + Default> Visitor<'de> for List<T> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = vec![];
        while let Some(Lenient(t)) = seq.next_element::<Lenient<T>>()? {
            out.push(t);
        }
        Ok(Some(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    none_for_scalars!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Inner {
        #[serde(deserialize_with = "string")]
        name: Option<String>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Outer {
        #[serde(deserialize_with = "string")]
        s: Option<String>,
        #[serde(deserialize_with = "number")]
        n: Option<f64>,
        #[serde(deserialize_with = "boolean")]
        b: Option<bool>,
        #[serde(deserialize_with = "id")]
        i: Option<String>,
        #[serde(deserialize_with = "object")]
        o: Inner,
        #[serde(deserialize_with = "list")]
        l: Option<Vec<Inner>>,
    }

    fn read(v: serde_json::Value) -> Outer {
        Outer::deserialize(v).unwrap()
    }

    #[test]
    fn right_types_are_read() {
        let o = read(
            json!({"s": "x", "n": 2.5, "b": true, "i": 400618687101u64, "o": {"name": "a"},
                            "l": [{"name": "b"}, "junk", {"name": 7}], "extra": [1, {"deep": true}]}),
        );
        assert_eq!(o.s.as_deref(), Some("x"));
        assert_eq!((o.n, o.b), (Some(2.5), Some(true)));
        assert_eq!(o.i.as_deref(), Some("400618687101"));
        assert_eq!(o.o.name.as_deref(), Some("a"));
        assert_eq!(
            o.l,
            Some(vec![
                Inner {
                    name: Some("b".into())
                },
                Inner::default(),
                Inner::default()
            ])
        );
    }

    #[test]
    fn wrong_types_read_as_absent_and_never_fail() {
        let o = read(
            json!({"s": {"a": [1, 2]}, "n": "ten", "b": "yes", "i": 1.5, "o": "nobody", "l": {"x": 1}}),
        );
        assert_eq!(o, Outer::default());
        let o =
            read(json!({"s": null, "n": [1], "b": 0, "i": [], "o": [1, {"a": 1}], "l": "none"}));
        assert_eq!(o, Outer::default());
        assert_eq!(read(json!({"i": "ext-1"})).i.as_deref(), Some("ext-1"));
    }
}
