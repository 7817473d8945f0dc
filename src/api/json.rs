//! A lenient JSON reader. The widget reads RingCentral's answers field by field through this small trait instead
//! of serde derives: a field of the wrong type reads as absent instead of failing the whole record, and the wasm
//! carries one small reader instead of a deserializer per type (the size budget is 100 KB gzipped in all).
//! In the browser `JsValue` (from `JSON.parse`) implements it; native tests use `serde_json::Value`.

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
    use super::Json;
    use wasm_bindgen::{JsCast, JsValue};

    impl Json for JsValue {
        #[inline(never)]
        fn get(&self, key: &str) -> Option<JsValue> {
            if !self.is_object() || js_sys::Array::is_array(self) {
                return None;
            }
            js_sys::Reflect::get(self, &JsValue::from_str(key))
                .ok()
                .filter(|v| !v.is_null() && !v.is_undefined())
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
            self.dyn_ref::<js_sys::Array>().map(|a| a.iter().collect())
        }
    }

    /// `JSON.parse`.
    pub fn parse(text: &str) -> Option<JsValue> {
        js_sys::JSON::parse(text).ok()
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::parse;

#[cfg(test)]
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
