// The whole integration: importing the package registers <rc-active-calls>; the element loads the wasm, which
// Vite found through new URL(…, import.meta.url) and copied into the build.
import 'rc-active-calls';
