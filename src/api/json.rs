//! Outside JSON, two ways. Call records (`CallLogPage`, thousands per answer for an admin) and the WebSocket's
//! frames go through `Json`, a small field-by-field reader: measured in the release build, reading them through
//! serde derives cost 8.9 KB (records: 157,416 B against 166,347 B in all) and 4.4 KB (frames) more gzipped wasm
//! than this reader. Everything else (tokens, the user, error bodies, the host's config, commands and contact
//! answers, the tabs' messages) is read into serde types through `Source`. Both are lenient: a field of the wrong
//! type reads as absent, never failing a whole answer. In the browser the values are `JsValue`s (from
//! `JSON.parse`, a `postMessage`, a host's object); native tests use `serde_json::Value`.

use serde::de::DeserializeOwned;

/// The field reader for call records.
pub trait Json: Sized {
    /// An object's property; `None` when absent, `null`, or when `self` is not an object.
    fn get(&self, key: &str) -> Option<Self>;
    fn string(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    /// An array's items; `None` when `self` is not an array.
    fn items(&self) -> Option<Vec<Self>>;

    // Called at some forty places: kept out of line so each call site is a call, not a copy (wasm size).
    #[inline(never)]
    fn str_at(&self, key: &str) -> Option<String> {
        self.get(key)?.string()
    }

    #[inline(never)]
    fn num_at(&self, key: &str) -> Option<f64> {
        self.get(key)?.number().filter(|n| n.is_finite())
    }

    /// An id sent as a number in one place and a string in another (`extension.id` vs `extensionId`).
    #[inline(never)]
    fn id_at(&self, key: &str) -> Option<String> {
        let v = self.get(key)?;
        v.string().or_else(|| {
            v.number()
                .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
                .map(|n| (n as i64).to_string())
        })
    }
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use super::super::js_de;
    use super::{DeserializeOwned, Json, Source};
    use wasm_bindgen::{JsCast, JsValue};

    impl Json for JsValue {
        #[inline(never)]
        fn get(&self, key: &str) -> Option<JsValue> {
            Source::field(self, key)
        }
        fn string(&self) -> Option<String> {
            self.as_string()
        }
        fn number(&self) -> Option<f64> {
            self.as_f64()
        }
        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }
        fn items(&self) -> Option<Vec<JsValue>> {
            Source::entries(self)
        }
    }

    impl Source for JsValue {
        fn read<T: DeserializeOwned>(&self) -> Option<T> {
            // Only a plain object, read straight through the deserializer (through serde's
            // `MapAccessDeserializer` instead, each type's reader was compiled twice: 0.7 KB of gzip).
            if !self.is_object() || self.is_function() || js_sys::Array::is_array(self) {
                return None;
            }
            T::deserialize(js_de::JsDeserializer(self.clone())).ok()
        }
        fn field(&self, key: &str) -> Option<JsValue> {
            // `Reflect.get` throws on a primitive (read as absent) and finds no field names on an array.
            js_sys::Reflect::get(self, &KEYS.with(|k| k.borrow_mut().get(key)))
                .ok()
                .filter(|v| !v.is_null_or_undefined())
        }
        fn entries(&self) -> Option<Vec<JsValue>> {
            self.dyn_ref::<js_sys::Array>().map(|a| a.iter().collect())
        }
    }

    /// Field names as JavaScript strings, made once: a page of 1 000 records reads some 20 000 fields, and making
    /// each name anew (UTF-8 to UTF-16 across the boundary) was a third of the time (bench/read).
    #[derive(Default)]
    struct Keys(Vec<(String, JsValue)>);

    impl Keys {
        fn get(&mut self, key: &str) -> JsValue {
            if let Some((_, js)) = self.0.iter().find(|(k, _)| k == key) {
                return js.clone();
            }
            let js = JsValue::from_str(key);
            // The names in the code are a few dozen; anything beyond is not worth keeping.
            if self.0.len() < 64 {
                self.0.push((key.to_string(), js.clone()));
            }
            js
        }
    }

    thread_local! {
        static KEYS: std::cell::RefCell<Keys> = std::cell::RefCell::default();
    }

    /// `JSON.parse`.
    pub fn parse(text: &str) -> Option<JsValue> {
        js_sys::JSON::parse(text).ok()
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::parse;

// Native tests and the fuzzers read `serde_json::Value`s.
#[cfg(any(test, feature = "json-value"))]
impl Json for serde_json::Value {
    fn get(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_string)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
}

/// Reads a value into a serde type.
pub trait Source: Sized {
    /// This value read as `T` when it is an object.
    fn read<T: DeserializeOwned>(&self) -> Option<T>;
    /// An object's property, raw; `None` when absent or `null`.
    fn field(&self, key: &str) -> Option<Self>;
    /// An array's items, raw; `None` when this is not an array.
    fn entries(&self) -> Option<Vec<Self>>;
}

#[cfg(any(test, feature = "json-value"))]
impl Source for serde_json::Value {
    /// As in the browser: only an object, read straight through.
    fn read<T: DeserializeOwned>(&self) -> Option<T> {
        self.as_object()?;
        T::deserialize(self.clone()).ok()
    }
    fn field(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn entries(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
}
