//! Writes into memory that JS owns (an `ArrayBuffer`, or a typed array's bytes) must be published
//! with [`publish_write`], the one place that knows the difference between the two runtimes:
//!
//! - Node (native addon): the pointer Node-API hands out *is* the JS buffer, so a write is
//!   visible at once and [`publish_write`] does nothing.
//! - emnapi (the `wasm32-wasip1` build): a JS `ArrayBuffer` is not wasm memory. The pointer from
//!   `napi_create_arraybuffer` or `napi_get_typedarray_info` addresses a copy in wasm memory, and
//!   JS sees what Rust wrote there only after `emnapi_sync_memory` copies it back. Without that,
//!   a buffer filled by Rust reads as zeros in JS.
//!
//! Buffers that napi-rs itself creates from Rust data (`Uint32ArraySlice::from_data`,
//! `Uint32Array::new`) are filled before JS gets them and need nothing. Reading a JS typed array
//! (`&[u32]` arguments) needs nothing either: emnapi copies it into wasm memory on each call.

use napi::sys;

/// Makes `byte_len` bytes written from `byte_offset` on (relative to the start of the view, or
/// of the buffer) in the backing store of `buffer_or_view` — a JS `ArrayBuffer` or typed array —
/// visible to JS. Call it after every write into JS-owned memory, before returning to JS.
#[cfg(target_family = "wasm")]
pub fn publish_write(
    env: sys::napi_env,
    buffer_or_view: sys::napi_value,
    byte_offset: usize,
    byte_len: usize,
) -> napi::Result<()> {
    extern "C" {
        // emnapi's extension to Node-API (emnapi/include/emnapi.h); the handle is passed by
        // pointer because emnapi may replace a view whose buffer wasm memory growth detached.
        fn emnapi_sync_memory(
            env: sys::napi_env,
            js_to_wasm: bool,
            arraybuffer_or_view: *mut sys::napi_value,
            byte_offset: usize,
            length: usize,
        ) -> sys::napi_status;
    }
    if byte_len == 0 {
        return Ok(());
    }
    let mut handle = buffer_or_view;
    // The copy starts at 0: emnapi 2.0.0-beta.2 applies a non-zero offset to the JS side only and
    // reads the wasm side from the buffer's start, so a write at an offset would land shifted.
    // The wasm copy mirrors the whole JS buffer, so publishing the prefix up to the write's end
    // rewrites the bytes before it with their own values.
    // SAFETY: a plain emnapi call on the current env with a live handle of this call's scope.
    let status = unsafe { emnapi_sync_memory(env, false, &mut handle, 0, byte_offset + byte_len) };
    napi::check_status!(status, "cannot copy the result into JS memory")
}

/// Natively the write is already in the JS buffer (see the module comment).
#[cfg(not(target_family = "wasm"))]
#[inline(always)]
pub fn publish_write(
    _env: sys::napi_env,
    _buffer_or_view: sys::napi_value,
    _byte_offset: usize,
    _byte_len: usize,
) -> napi::Result<()> {
    Ok(())
}
