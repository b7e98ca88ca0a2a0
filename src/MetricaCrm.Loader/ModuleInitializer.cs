using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace MetricaCrm.Loader
{
    /// <summary>
    /// Runs when the module is imported. It lives in its own small assembly, loaded first as a nested module, because
    /// PowerShell reads the cmdlet assembly's types (whose base types name engine types) before any initializer of
    /// that assembly could run. PowerShell 7: the engine's net8.0 build and its third-party DLLs (dependencies/core) go
    /// into a private AssemblyLoadContext (MetricaCrm.Isolation.dll). Windows PowerShell 5.1 has no
    /// load contexts: strong-named versions can live side by side, so dependencies/ is resolved by simple name there,
    /// which also stands in for the binding redirects that powershell.exe never applies to modules.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
        private static readonly string DependencyDirectory = Path.Combine(ModuleDirectory, "dependencies");
        private static readonly object Gate = new object();
        private static bool _installed;
        private static Dictionary<string, string>? _dependencies;

        public void OnImport()
        {
            lock (Gate)
            {
                if (_installed) return;
                _installed = true;
                bool isCore = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext") != null;
                if (isCore)
                {
                    var isolation = Assembly.LoadFrom(Path.Combine(ModuleDirectory, "MetricaCrm.Isolation.dll"));
                    var engine = (Assembly)isolation.GetType("MetricaCrm.Isolation.DependencyLoadContext", throwOnError: true)!
                        .GetMethod("Install", BindingFlags.Public | BindingFlags.Static)!
                        .Invoke(null, new object[] { Path.Combine(DependencyDirectory, "core"), "MetricaCrm.Engine" })!;
                    AddTypeNames(engine);
                }
                else
                {
                    _dependencies = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var file in Directory.GetFiles(DependencyDirectory, "*.dll"))
                        _dependencies[Path.GetFileNameWithoutExtension(file)] = file;
                    AppDomain.CurrentDomain.AssemblyResolve += ResolveOnFramework;
                }
            }
        }

        public void OnRemove(PSModuleInfo module)
        {
            // The .NET Core context cannot be unloaded (types may still be referenced); the 5.1 handler can go.
            lock (Gate)
            {
                if (_dependencies == null) return;
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveOnFramework;
                _dependencies = null;
                _installed = false;
            }
        }

        /// <summary>
        /// PowerShell 7 resolves type names in scripts only among the default context's assemblies, and the engine is
        /// not there on purpose: in the default context it would bind to another module's Polly or CsvHelper whenever
        /// that copy's assembly version is the same or higher (every Polly.Core 8.x is 8.0.0.0). Type accelerators named
        /// after the engine's public types' full names make [MetricaCrm.Engine.Metrica.MergeMode]::Save and
        /// $o -is [MetricaCrm.Engine.Orders.CrmOrder] work, as they do in Windows PowerShell.
        /// </summary>
        private static void AddTypeNames(Assembly engine)
        {
            var accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
            var add = accelerators?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(Type) }, null);
            if (add == null) return; // the cmdlets work without it; only naming the types in scripts does not
            foreach (var type in engine.GetExportedTypes())
                if (type.FullName != null) add.Invoke(null, new object[] { type.FullName, type });
        }

        private static Assembly? ResolveOnFramework(object sender, ResolveEventArgs args)
        {
            // Answer only our own assemblies' requests (as PSResourceGet does): another module asking for its Polly or
            // CsvHelper must not be handed ours.
            if (!IsOurs(args.RequestingAssembly)) return null;
            var name = new AssemblyName(args.Name).Name;
            var deps = _dependencies;
            if (name == null || deps == null || !deps.TryGetValue(name, out var path)) return null;
            return Assembly.LoadFrom(path);
        }

        private static bool IsOurs(Assembly? requesting)
        {
            if (requesting == null || requesting.IsDynamic) return false;
            string location;
            try { location = requesting.Location; }
            catch (NotSupportedException) { return false; }
            return location.StartsWith(ModuleDirectory + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase);
        }
    }
}
