//! A serde `Deserializer` over a `JsValue`: what the widget's `Deserialize` types are read through in the browser.
//!
//! Why not serde-wasm-bindgen's (which the widget uses to serialize payloads out): measured in the release build,
//! reading the host's config, commands and contact answers through it cost 22.4 KB of gzipped wasm, because its
//! errors format every message, and formatting serde's "invalid type" messages links Rust's float formatting.
//! This one reads only what JSON has (null, booleans, numbers, strings, arrays, plain objects), and its error
//! carries no text: the widget's types are lenient (`api::lenient`) and never look at an error's message.

use super::lenient::Unreadable as Error;
use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use wasm_bindgen::{JsCast, JsValue};

pub struct JsDeserializer(pub JsValue);

/// What a value is, worked out once, outside the generic code: `deserialize_any` is copied for every type read,
/// and only its `match` needs to be.
enum Kind {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(js_sys::Array),
    /// `Object.entries` of a plain object.
    Map(js_sys::Array),
    Other,
}

#[inline(never)]
fn kind(value: JsValue) -> Kind {
    if value.is_null() || value.is_undefined() {
        Kind::Unit
    } else if let Some(b) = value.as_bool() {
        Kind::Bool(b)
    } else if let Some(n) = value.as_f64() {
        if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
            Kind::Int(n as i64)
        } else {
            Kind::Float(n)
        }
    } else if let Some(s) = value.as_string() {
        Kind::Str(s)
    } else if js_sys::Array::is_array(&value) {
        Kind::Seq(value.unchecked_into())
    } else if value.is_object() && !value.is_function() {
        Kind::Map(js_sys::Object::entries(value.unchecked_ref()))
    } else {
        Kind::Other
    }
}

/// Entry `i` of `Object.entries(…)`: its key and value.
#[inline(never)]
fn entry(entries: &js_sys::Array, i: u32) -> (JsValue, JsValue) {
    let e = entries.get(i);
    (
        js_sys::Reflect::get_u32(&e, 0).unwrap_or(JsValue::UNDEFINED),
        js_sys::Reflect::get_u32(&e, 1).unwrap_or(JsValue::UNDEFINED),
    )
}

impl<'de> Deserializer<'de> for JsDeserializer {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match kind(self.0) {
            Kind::Unit => v.visit_unit(),
            Kind::Bool(b) => v.visit_bool(b),
            Kind::Int(n) => v.visit_i64(n),
            Kind::Float(n) => v.visit_f64(n),
            Kind::Str(s) => v.visit_string(s),
            Kind::Seq(items) => v.visit_seq(Items { items, next: 0 }),
            Kind::Map(entries) => v.visit_map(Entries {
                entries,
                next: 0,
                value: None,
            }),
            Kind::Other => Err(Error),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.0.is_null() || self.0.is_undefined() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    /// Skipping a value needs no look inside it.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    /// serde's own enum shape (externally tagged): `"variant"`, or `{ "variant": content }`. The widget's enums
    /// take this shape at its boundaries because the tagged ones (`tag = "…"`) buffer every value through serde's
    /// private `Content` type first, which cost 23 KB of gzipped wasm for the tabs' messages alone.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let value = self.0;
        if value.is_string() {
            return v.visit_enum(Variant(value, None));
        }
        if value.is_object() && !js_sys::Array::is_array(&value) {
            let entries = js_sys::Object::entries(value.unchecked_ref());
            if entries.length() == 1 {
                let (key, content) = entry(&entries, 0);
                return v.visit_enum(Variant(key, Some(content)));
            }
        }
        Err(Error)
    }

    // A struct, a map, a list, a field name and a string take one shape only. Asking `deserialize_any` for them
    // would copy every `visit_*` of their visitors into the wasm, among them the `visit_seq` that serde derives for
    // every struct (a struct written as an array) and that JSON from RingCentral, the host or a tab never holds.

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match kind(self.0) {
            Kind::Map(entries) => v.visit_map(Entries {
                entries,
                next: 0,
                value: None,
            }),
            _ => Err(Error),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match kind(self.0) {
            Kind::Seq(items) => v.visit_seq(Items { items, next: 0 }),
            _ => Err(Error),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.as_string() {
            Some(s) => v.visit_string(s),
            None => Err(Error),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit unit_struct
        newtype_struct tuple tuple_struct
    }
}

/// An enum's variant name, and its content when it has one.
struct Variant(JsValue, Option<JsValue>);

impl<'de> EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = Content;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Content), Error> {
        Ok((seed.deserialize(JsDeserializer(self.0))?, Content(self.1)))
    }
}

struct Content(Option<JsValue>);

impl Content {
    fn value(self) -> JsDeserializer {
        JsDeserializer(self.0.unwrap_or(JsValue::UNDEFINED))
    }
}

impl<'de> VariantAccess<'de> for Content {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self.value())
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, Error> {
        self.value().deserialize_seq(v)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.value().deserialize_map(v)
    }
}

struct Items {
    items: js_sys::Array,
    next: u32,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(JsDeserializer(item)).map(Some)
    }
}

struct Entries {
    entries: js_sys::Array,
    next: u32,
    value: Option<JsValue>,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let (key, value) = entry(&self.entries, self.next);
        self.next += 1;
        self.value = Some(value);
        seed.deserialize(JsDeserializer(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(JsDeserializer(
            self.value.take().unwrap_or(JsValue::UNDEFINED),
        ))
    }
}
