using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>Runtime's source layout: every file is named after the one type it declares, in the folder of its namespace.</summary>
public sealed class RuntimeLayoutTests
{
    private static readonly Regex TypeDeclaration = new(
        @"^(public|internal)\s+((sealed|static|abstract|readonly|partial|ref|unsafe)\s+)*(class|struct|record|interface|enum|delegate)(\s+struct|\s+class)?\s+(?<name>[A-Za-z0-9_]+)",
        RegexOptions.Multiline);

    private static string RuntimeDirectory([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "Runtime"));

    [Fact]
    public void Each_file_declares_one_top_level_type_named_like_the_file_in_the_folder_of_its_namespace()
    {
        string root = RuntimeDirectory();
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.True(files.Count > 40, $"only {files.Count} files found under {root}");
        foreach (var file in files)
        {
            string text = File.ReadAllText(file);
            var types = TypeDeclaration.Matches(text).Select(m => m.Groups["name"].Value).ToList();
            string relative = Path.GetRelativePath(root, file);
            Assert.True(types.Count == 1, $"{relative} declares {types.Count} top-level types: {string.Join(", ", types)}");
            Assert.Equal(Path.GetFileNameWithoutExtension(file), types[0]);
            string ns = Regex.Match(text, @"^namespace\s+([A-Za-z0-9_.]+)\s*;", RegexOptions.Multiline).Groups[1].Value;
            string folder = Path.GetDirectoryName(relative)!.Replace(Path.DirectorySeparatorChar, '.');
            Assert.Equal(folder.Length == 0 ? "CnnGen" : "CnnGen." + folder, ns);
        }
    }
}
