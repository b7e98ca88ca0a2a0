using System;
using System.IO;
using System.Runtime.InteropServices;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>
    /// Points SQLitePCLRaw at its bundled e_sqlite3 once per process. SQLitePCLRaw 3 imports it with a plain
    /// [DllImport("e_sqlite3")] on every target (no loader of its own), so where the file is found is up to the host:
    /// on .NET 8+ (PowerShell 7) the module's DependencyLoadContext.LoadUnmanagedDll answers from
    /// dependencies/core/runtimes/&lt;rid&gt;/native; a plain app (the tests) finds runtimes/&lt;rid&gt;/native through its deps.json.
    /// </summary>
    internal static class NativeSqlite
    {
        private static readonly object Gate = new object();
        private static bool _initialized;

        public static void EnsureInitialized()
        {
            lock (Gate)
            {
                if (_initialized) return;
#if NETFRAMEWORK
                PreloadOnFramework();
#endif
                SQLitePCL.Batteries_V2.Init();
                _initialized = true;
            }
        }

#if NETFRAMEWORK
        /// <summary>
        /// Windows PowerShell 5.1 (reasoned, not run: the net472 tests run under Mono on Linux, which skips this; on
        /// Windows their native-library test checks the file loaded): .NET Framework resolves [DllImport("e_sqlite3")] with the
        /// Windows DLL search, which looks in powershell.exe's folder, the system folders and PATH, never in the module's
        /// dependencies/ folder, and one file there could hold one architecture only. The module ships
        /// dependencies/runtimes/win-{x64,x86,arm64}/native/e_sqlite3.dll; loading the one for this process by full path
        /// first makes the later DllImport find it, because Windows hands a module already loaded under the same name
        /// (e_sqlite3.dll) to any LoadLibrary of that name, wherever it came from. Absent file (the engine used outside
        /// the module): nothing is preloaded and the ordinary search applies. Off Windows (this build under Mono, as its
        /// tests run on Linux) there is no kernel32 to call, and Mono's own search finds libe_sqlite3.so beside the
        /// engine: nothing is preloaded there either.
        /// </summary>
        private static void PreloadOnFramework()
        {
            if (Environment.OSVersion.Platform != PlatformID.Win32NT) return;
            string? rid = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "win-x64",
                Architecture.X86 => "win-x86",
                Architecture.Arm64 => "win-arm64",
                _ => null,
            };
            string directory = Path.GetDirectoryName(typeof(NativeSqlite).Assembly.Location) ?? "";
            if (rid == null) return;
            string path = Path.Combine(Path.Combine(Path.Combine(Path.Combine(directory, "runtimes"), rid), "native"), "e_sqlite3.dll");
            if (!File.Exists(path)) return;
            if (LoadLibraryEx(path, IntPtr.Zero, LoadWithAlteredSearchPath) == IntPtr.Zero)
                throw new DllNotFoundException($"SQLite's native library at {path} could not be loaded (Windows error {Marshal.GetLastWin32Error()}).");
        }

        private const uint LoadWithAlteredSearchPath = 0x00000008;

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryEx(string fileName, IntPtr reserved, uint flags);
#endif
    }
}
