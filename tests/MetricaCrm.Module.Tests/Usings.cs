global using Xunit;
global using System.Management.Automation;
