// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// mimalloc instead of glibc's malloc: supplier imports run in this process too, and glibc's
/// arena locks between the reader and writer threads cost them a quarter of their time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    #[cfg(target_os = "linux")]
    prefer_shared_memory_rendering();
    vitrina_desktop::run()
}

/// WebKitGTK's DMA-BUF renderer keeps GPU-shaped buffers per page: without it the web process
/// holds ~120 MB less (docs/benchmarks.md, "Desktop"), and it is the usual cure for blank
/// windows on some NVIDIA drivers. A value the user set wins.
#[cfg(target_os = "linux")]
fn prefer_shared_memory_rendering() {
    const VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    if std::env::var_os(VAR).is_none() {
        // SAFETY: first thing in `main`, before any other thread exists to read the environment.
        #[allow(unsafe_code, reason = "setting the environment before any thread starts")]
        unsafe {
            std::env::set_var(VAR, "1")
        };
    }
}
