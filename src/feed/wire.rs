//! The tabs' messages on the wire: serde by position. A struct (or a tuple, or a list) is the array of its fields in
//! order; an enum's unit variant is its index, any other variant `[index, …its fields]`; `None` and `()` are `null`.
//! No name travels: by name, reading and writing the messages took 13 KB of the gzipped wasm (measured by leaving
//! them out), every field and variant name matched on the way in and written on the way out; by position, 4 KB
//! less (bench/size: 204,511 → 200,495 B).
//!
//! Positions are safe because one build speaks to itself: the envelope's first field is `channel::VERSION`, and a
//! message of another version is dropped whole (a tab of another build is told apart: `tabs::Said::OtherBuild`).
//! Bump it whenever a message type changes. Reading is lenient: what cannot be read (another shape, a number out of
//! range, an index past the variants) is `None`, never a panic, and items past the fields a type knows are let be.
//!
//! Generic over the value (`Wire`): `JsValue`s in the browser (the BroadcastChannel clones them as they are, no
//! JSON text), `serde_json::Value` natively, for the tests and the fuzzers.

use crate::api::lenient::Unreadable as Error;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, SeqAccess,
    VariantAccess, Visitor,
};
use serde::ser::{self, Serialize, Serializer};
use std::marker::PhantomData;
use wasm_bindgen::{JsCast, JsValue};

/// What a value holds.
pub enum Shape<W> {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<W>),
    Other,
}

/// A value the wire is made of.
pub trait Wire: Sized {
    fn shape(self) -> Shape<Self>;
    fn is_null(&self) -> bool;
    fn null() -> Self;
    fn bool(b: bool) -> Self;
    fn num(n: f64) -> Self;
    fn str(s: &str) -> Self;
    fn list(items: Vec<Self>) -> Self;
}

/// `value` on the wire; `None` only when its own `Serialize` fails (no message's does).
pub fn write<W: Wire, T: Serialize + ?Sized>(value: &T) -> Option<W> {
    value.serialize(Out(PhantomData)).ok()
}

/// A `T` read off the wire, or `None` when it is not one.
pub fn read<W: Wire, T: DeserializeOwned>(value: W) -> Option<T> {
    T::deserialize(In(value)).ok()
}

struct Out<W>(PhantomData<W>);

/// The items of an array being written.
pub struct Items<W>(Vec<W>);

impl<W: Wire> Items<W> {
    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.0.push(v.serialize(Out(PhantomData))?);
        Ok(())
    }

    fn variant(index: u32) -> Items<W> {
        Items(vec![W::num(index.into())])
    }
}

macro_rules! numbers {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<W, Error> {
            self.serialize_f64(v as f64)
        }
    )*};
}

impl<W: Wire> Serializer for Out<W> {
    type Ok = W;
    type Error = Error;
    type SerializeSeq = Items<W>;
    type SerializeTuple = Items<W>;
    type SerializeTupleStruct = Items<W>;
    type SerializeTupleVariant = Items<W>;
    type SerializeMap = Items<W>;
    type SerializeStruct = Items<W>;
    type SerializeStructVariant = Items<W>;

    fn serialize_bool(self, v: bool) -> Result<W, Error> {
        Ok(W::bool(v))
    }
    // Every number as a JS number: exact up to 2^53, which a term, a count or a time in ms never reaches.
    numbers!(
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_f32: f32
    );
    fn serialize_f64(self, v: f64) -> Result<W, Error> {
        Ok(W::num(v))
    }
    fn serialize_char(self, v: char) -> Result<W, Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<W, Error> {
        Ok(W::str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<W, Error> {
        Ok(W::list(v.iter().map(|b| W::num((*b).into())).collect()))
    }
    fn serialize_none(self) -> Result<W, Error> {
        Ok(W::null())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<W, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<W, Error> {
        Ok(W::null())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<W, Error> {
        Ok(W::null())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
    ) -> Result<W, Error> {
        Ok(W::num(index.into()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<W, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        v: &T,
    ) -> Result<W, Error> {
        let mut items = Items::variant(index);
        items.push(v)?;
        Ok(W::list(items.0))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<W>, Error> {
        Ok(Items(vec![]))
    }
    fn serialize_tuple(self, _: usize) -> Result<Items<W>, Error> {
        Ok(Items(vec![]))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items<W>, Error> {
        Ok(Items(vec![]))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Items<W>, Error> {
        Ok(Items::variant(index))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Items<W>, Error> {
        Ok(Items(vec![]))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Items<W>, Error> {
        Ok(Items(vec![]))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Items<W>, Error> {
        Ok(Items::variant(index))
    }
}

// serde's seven ways to write a compound value, all the items of one array.
macro_rules! items {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<W: Wire> ser::$trait for Items<W> {
            type Ok = W;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
                self.push(v)
            }
            fn end(self) -> Result<W, Error> {
                Ok(W::list(self.0))
            }
        }
    )*};
}
items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl<W: Wire> ser::$trait for Items<W> {
            type Ok = W;
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, v: &T) -> Result<(), Error> {
                self.push(v)
            }
            /// A field left out keeps its place.
            fn skip_field(&mut self, _: &'static str) -> Result<(), Error> {
                self.0.push(W::null());
                Ok(())
            }
            fn end(self) -> Result<W, Error> {
                Ok(W::list(self.0))
            }
        }
    )*};
}
fields!(SerializeStruct, SerializeStructVariant);

/// A map as `[key, value, key, value, …]` (no message holds one today).
impl<W: Wire> ser::SerializeMap for Items<W> {
    type Ok = W;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Error> {
        self.push(k)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<W, Error> {
        Ok(W::list(self.0))
    }
}

struct In<W>(W);

/// A whole number as one (serde's integer visitors take no `f64`), else as it is.
fn number<'de, V: Visitor<'de>>(n: f64, v: V) -> Result<V::Value, Error> {
    if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
        if n >= 0.0 {
            v.visit_u64(n as u64)
        } else {
            v.visit_i64(n as i64)
        }
    } else {
        v.visit_f64(n)
    }
}

impl<'de, W: Wire> Deserializer<'de> for In<W> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.shape() {
            Shape::Null => v.visit_unit(),
            Shape::Bool(b) => v.visit_bool(b),
            Shape::Num(n) => number(n, v),
            Shape::Str(s) => v.visit_string(s),
            Shape::List(items) => v.visit_seq(Seq(items.into_iter())),
            Shape::Other => Err(Error),
        }
    }

    // Every type asks for one shape and is given only that one: asking `deserialize_any` would copy every
    // `visit_*` of every visitor into the wasm (as `api::js_de` explains).

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.shape() {
            Shape::Bool(b) => v.visit_bool(b),
            _ => Err(Error),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.shape() {
            Shape::Num(n) => number(n, v),
            _ => Err(Error),
        }
    }

    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_f64(v)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_f64(v)
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.shape() {
            Shape::Str(s) => v.visit_string(s),
            _ => Err(Error),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.0.is_null() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.shape() {
            Shape::Null => v.visit_unit(),
            _ => Err(Error),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.shape() {
            Shape::List(items) => v.visit_seq(Seq(items.into_iter())),
            _ => Err(Error),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        match self.0.shape() {
            Shape::Num(index) => v.visit_enum(Variant(index, Seq(Vec::<W>::new().into_iter()))),
            Shape::List(items) => {
                let mut items = items.into_iter();
                match items.next().map(Wire::shape) {
                    Some(Shape::Num(index)) => v.visit_enum(Variant(index, Seq(items))),
                    _ => Err(Error),
                }
            }
            _ => Err(Error),
        }
    }

    /// Skipping a value needs no look inside it.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u128 f32 char bytes byte_buf unit_struct newtype_struct map identifier
    }
}

struct Seq<W>(std::vec::IntoIter<W>);

impl<'de, W: Wire> SeqAccess<'de> for Seq<W> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|w| seed.deserialize(In(w))).transpose()
    }
}

/// An enum's variant index, and the items after it.
struct Variant<W>(f64, Seq<W>);

impl<'de, W: Wire> EnumAccess<'de> for Variant<W> {
    type Error = Error;
    type Variant = Seq<W>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Seq<W>), Error> {
        let index = self.0;
        if index.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&index) {
            return Err(Error);
        }
        let index: de::value::U32Deserializer<Error> = (index as u32).into_deserializer();
        Ok((seed.deserialize(index)?, self.1))
    }
}

impl<'de, W: Wire> VariantAccess<'de> for Seq<W> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(mut self, seed: T) -> Result<T::Value, Error> {
        self.next_element_seed(seed)?.ok_or(Error)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, Error> {
        v.visit_seq(self)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_seq(self)
    }
}

impl Wire for JsValue {
    #[inline(never)]
    fn shape(self) -> Shape<JsValue> {
        if self.is_null() || self.is_undefined() {
            Shape::Null
        } else if let Some(b) = self.as_bool() {
            Shape::Bool(b)
        } else if let Some(n) = self.as_f64() {
            Shape::Num(n)
        } else if let Some(s) = self.as_string() {
            Shape::Str(s)
        } else if js_sys::Array::is_array(&self) {
            Shape::List(self.unchecked_into::<js_sys::Array>().to_vec())
        } else {
            Shape::Other
        }
    }
    fn is_null(&self) -> bool {
        JsValue::is_null(self) || self.is_undefined()
    }
    fn null() -> JsValue {
        JsValue::NULL
    }
    fn bool(b: bool) -> JsValue {
        JsValue::from_bool(b)
    }
    fn num(n: f64) -> JsValue {
        JsValue::from_f64(n)
    }
    fn str(s: &str) -> JsValue {
        JsValue::from_str(s)
    }
    fn list(items: Vec<JsValue>) -> JsValue {
        items.into_iter().collect::<js_sys::Array>().into()
    }
}

#[cfg(any(test, feature = "json-value"))]
impl Wire for serde_json::Value {
    fn shape(self) -> Shape<serde_json::Value> {
        use serde_json::Value;
        match self {
            Value::Null => Shape::Null,
            Value::Bool(b) => Shape::Bool(b),
            Value::Number(n) => n.as_f64().map_or(Shape::Other, Shape::Num),
            Value::String(s) => Shape::Str(s),
            Value::Array(items) => Shape::List(items),
            Value::Object(_) => Shape::Other,
        }
    }
    fn is_null(&self) -> bool {
        serde_json::Value::is_null(self)
    }
    fn null() -> serde_json::Value {
        serde_json::Value::Null
    }
    fn bool(b: bool) -> serde_json::Value {
        b.into()
    }
    /// Whole numbers as integers, as `JSON.parse` and `serde_json::json!` write them.
    fn num(n: f64) -> serde_json::Value {
        if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
            (n as i64).into()
        } else {
            n.into()
        }
    }
    fn str(s: &str) -> serde_json::Value {
        s.into()
    }
    fn list(items: Vec<serde_json::Value>) -> serde_json::Value {
        items.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use serde_json::{json, Value};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Kind {
        Plain,
        Wrapped(String),
        Pair(u32, bool),
        Named { at: f64, note: Option<String> },
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Thing {
        id: u64,
        kinds: Vec<Kind>,
        seen: Vec<(String, f64)>,
        #[serde(default)]
        later: Option<i32>,
    }

    fn wire<T: Serialize>(v: &T) -> Value {
        write(v).unwrap()
    }

    #[test]
    fn every_shape_by_position_and_back() {
        let t = Thing {
            id: 7,
            kinds: vec![
                Kind::Plain,
                Kind::Wrapped("w".into()),
                Kind::Pair(3, true),
                Kind::Named {
                    at: 1.5,
                    note: None,
                },
            ],
            seen: vec![("a".into(), -2.0)],
            later: Some(-4),
        };
        let w = wire(&t);
        assert_eq!(
            w,
            json!([
                7,
                [0, [1, "w"], [2, 3, true], [3, 1.5, null]],
                [["a", -2]],
                -4
            ])
        );
        assert_eq!(read::<Value, Thing>(w), Some(t));
    }

    #[test]
    fn what_is_not_the_shape_is_none_and_more_items_are_let_be() {
        for bad in [
            json!({"id": 7, "kinds": [], "seen": []}),
            json!([7, [9], []]),
            json!([7, [0.5], []]),
            json!([7, [-1], []]),
            json!([7, [[1]], []]),
            json!([7, [["x", 1]], []]),
            json!([-7, [], []]),
            json!([7.5, [], []]),
            json!(["7", [], []]),
            json!([7, [], [["a"]]]),
            json!([7, []]),
            json!(null),
            json!("thing"),
        ] {
            assert_eq!(read::<Value, Thing>(bad.clone()), None, "{bad}");
        }
        let more = read::<Value, Thing>(json!([7, [[2, 1, false, "x"]], [], null, "x"]));
        assert_eq!(
            more,
            Some(Thing {
                id: 7,
                kinds: vec![Kind::Pair(1, false)],
                seen: vec![],
                later: None
            })
        );
        // A field a type defaults may be missing at the end.
        assert_eq!(
            read::<Value, Thing>(json!([1, [], []])).map(|t| t.later),
            Some(None)
        );
    }
}
