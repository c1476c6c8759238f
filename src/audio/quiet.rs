//! Keeps the C audio libraries quiet. Enumerating devices makes alsa-lib and libjack (loaded by
//! ALSA's JACK plugin) print lines such as `ALSA lib confmisc.c:165:(snd_config_get_card) Cannot get
//! card index for 0` or `jack server is not running` straight to stderr — noise in a terminal that
//! says nothing about rehearse, since every failure that matters reaches us as a cpal error and is
//! reported once, in our words. [`silence_backend_noise`] installs do-nothing handlers in both
//! libraries, once per process, before the first cpal call.

use std::sync::Once;

static ONCE: Once = Once::new();

/// Installs silent error handlers in alsa-lib and (if present) libjack. Idempotent and cheap after
/// the first call; a no-op off Linux.
pub fn silence_backend_noise() {
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        imp::install();
    });
}

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::{c_char, c_int, c_void};

    /// alsa-lib's handler type is variadic (`…, const char *fmt, ...`). A callee that reads none of
    /// the variadic arguments may be declared without them: on the Linux ABIs (x86-64 System V,
    /// AArch64 AAPCS64) fixed arguments are passed the same way in both cases.
    type AlsaHandler = unsafe extern "C" fn(*const c_char, c_int, *const c_char, c_int, *const c_char);
    type JackHandler = unsafe extern "C" fn(*const c_char);
    type JackSetter = unsafe extern "C" fn(Option<JackHandler>);

    #[link(name = "asound")]
    unsafe extern "C" {
        fn snd_lib_error_set_handler(handler: Option<AlsaHandler>) -> c_int;
    }

    unsafe extern "C" {
        fn dlopen(file: *const c_char, mode: c_int) -> *mut c_void;
        fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    }

    const RTLD_NOW: c_int = 2;

    unsafe extern "C" fn ignore_alsa(_: *const c_char, _: c_int, _: *const c_char, _: c_int, _: *const c_char) {}

    unsafe extern "C" fn ignore_jack(_: *const c_char) {}

    pub(super) fn install() {
        // SAFETY: `ignore_alsa` never touches its arguments (see `AlsaHandler`) and lives forever.
        unsafe {
            snd_lib_error_set_handler(Some(ignore_alsa));
        }
        // libjack is only there if the JACK plugin is installed. Loading it here (never unloaded)
        // means the plugin's own dlopen later gets this same instance, with our handlers set.
        // SAFETY: plain C calls with NUL-terminated names; a found symbol has the documented
        // `void jack_set_error_function(void (*)(const char *))` signature.
        unsafe {
            let lib = dlopen(c"libjack.so.0".as_ptr(), RTLD_NOW);
            if lib.is_null() {
                return;
            }
            for name in [c"jack_set_error_function", c"jack_set_info_function"] {
                let f = dlsym(lib, name.as_ptr());
                if !f.is_null() {
                    let set: JackSetter = std::mem::transmute::<*mut c_void, JackSetter>(f);
                    set(Some(ignore_jack));
                }
            }
        }
    }
}
