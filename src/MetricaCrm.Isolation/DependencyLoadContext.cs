using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace MetricaCrm.Isolation
{
    /// <summary>
    /// Loads MetricaCrm.Engine and everything it brings (CsvHelper, Polly, libphonenumber...) from the module's
    /// dependencies/core folder (their net8.0 builds) into a context of their own, so another module's copy in the default context, of any version,
    /// is neither used by us nor disturbed. Only BCL polyfills (System.*, Microsoft.Bcl.*) that the runtime's own
    /// directory provides at the same or a higher version come from the runtime, so BCL types stay the same types on
    /// both sides. The host application's other assemblies are never borrowed, whatever it ships.
    /// </summary>
    public sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private static readonly object Gate = new object();
        private static DependencyLoadContext? _instance;
        private readonly string _directory;
        private readonly Dictionary<string, string> _platform = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        private DependencyLoadContext(string directory) : base("MetricaCrm", isCollectible: false)
        {
            _directory = directory;
            string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            foreach (var path in Directory.GetFiles(runtimeDirectory, "*.dll"))
            {
                string name = Path.GetFileNameWithoutExtension(path);
                if (name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Bcl.", StringComparison.Ordinal))
                    _platform[name] = path;
            }
        }

        /// <summary>
        /// Called once per process by the module initializer; later imports reuse the same context. Returns the engine,
        /// loaded into this context.
        /// </summary>
        public static Assembly Install(string dependencyDirectory, string engineAssemblyName)
        {
            lock (Gate)
            {
                if (_instance == null)
                {
                    var context = new DependencyLoadContext(dependencyDirectory);
                    Default.Resolving += (_, name) =>
                        string.Equals(name.Name, engineAssemblyName, StringComparison.OrdinalIgnoreCase) ? context.LoadFromAssemblyName(name) : null;
                    _instance = context;
                }
                return _instance.LoadFromAssemblyName(new AssemblyName(engineAssemblyName));
            }
        }

        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name == null) return null;
            string path = Path.Combine(_directory, name.Name + ".dll");
            if (!File.Exists(path)) return null;
            if (_platform.TryGetValue(name.Name, out var platformPath))
            {
                var platformVersion = AssemblyName.GetAssemblyName(platformPath).Version;
                if (name.Version == null || platformVersion != null && platformVersion >= name.Version) return null;
            }
            return LoadFromAssemblyPath(path);
        }

        /// <summary>
        /// Native libraries of our dependencies (SQLite's e_sqlite3, which SQLitePCLRaw 3 reaches by a plain
        /// [DllImport("e_sqlite3")]): the runtime asks the importing assembly's context first, and without this it would
        /// only look beside the assembly and in the host's folders, never in dependencies/core/runtimes/&lt;rid&gt;/native.
        /// Zero leaves anything we do not ship to the default search.
        /// </summary>
        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            string native = Path.Combine(_directory, "runtimes", PortableRuntimeIdentifier(), "native");
            foreach (var file in new[] { unmanagedDllName, unmanagedDllName + NativeSuffix(), "lib" + unmanagedDllName + NativeSuffix() })
            {
                string path = Path.Combine(native, file);
                if (File.Exists(path)) return LoadUnmanagedDllFromPath(path);
            }
            return IntPtr.Zero;
        }

        /// <summary>
        /// The NuGet RID whose build runs here (win-x64, linux-musl-arm64, osx-arm64...). Built from the OS and the
        /// process architecture, not RuntimeInformation.RuntimeIdentifier, which is distro-specific (ubuntu.24.04-x64)
        /// on source-built .NET.
        /// </summary>
        private static string PortableRuntimeIdentifier()
        {
            string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : IsMusl() ? "linux-musl" : "linux";
            return os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        }

        private static bool IsMusl() =>
            RuntimeInformation.RuntimeIdentifier.Contains("musl") || RuntimeInformation.RuntimeIdentifier.StartsWith("alpine", StringComparison.Ordinal);

        private static string NativeSuffix() =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? ".dll" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? ".dylib" : ".so";
    }
}
