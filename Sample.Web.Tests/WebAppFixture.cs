using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Xunit;

namespace CnnGen.Sample.Web.Tests;

/// <summary>
/// Publishes Sample.Web (Release) once, serves the published wwwroot on a loopback port with Kestrel's static files,
/// and starts Debian's headless Chromium through ChromeDriver. Missing Chromium is a failure that says what to install.
/// </summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium", ChromeDriver = "/usr/bin/chromedriver";

    public static string RepoRoot { get; } = FindRoot();

    public string WwwRoot { get; private set; } = "";
    public PageServer Server { get; private set; } = default!;
    public ChromeDriver Driver { get; private set; } = default!;

    /// <summary>Where the tests write what a person would look at (the screenshot): artifacts/web/ in the repository.</summary>
    public static string ArtifactsDir
    {
        get
        {
            string dir = Path.Combine(RepoRoot, "artifacts", "web");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public async Task InitializeAsync()
    {
        string chromium = Environment.GetEnvironmentVariable("CNNGEN_CHROMIUM") ?? Chromium;
        string driver = Environment.GetEnvironmentVariable("CNNGEN_CHROMEDRIVER") ?? ChromeDriver;
        if (!File.Exists(chromium) || !File.Exists(driver))
            throw new InvalidOperationException(
                $"The browser tests need Debian's Chromium and ChromeDriver ({chromium}, {driver}); install them with " +
                "'apt-get install -y chromium chromium-driver' (or set CNNGEN_CHROMIUM and CNNGEN_CHROMEDRIVER).");
        WwwRoot = Publish();
        Server = await PageServer.StartAsync(WwwRoot);
        Driver = StartBrowser(chromium, driver);
    }

    public async Task DisposeAsync()
    {
        try { Driver?.Quit(); } catch (WebDriverException) { }
        Driver?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }

    internal static ChromeDriver StartBrowser(string chromium, string driver)
    {
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,2400",
            "--user-data-dir=" + Directory.CreateTempSubdirectory("cnngen-chromium-").FullName);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var browser = new ChromeDriver(service, options, TimeSpan.FromMinutes(3));
        browser.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromMinutes(2);
        return browser;
    }

    /// <summary>dotnet publish Sample.Web -c Release into a temporary folder; returns its wwwroot.</summary>
    private static string Publish()
    {
        string output = Directory.CreateTempSubdirectory("cnngen-web-").FullName;
        var start = new ProcessStartInfo("dotnet", ["publish", Path.Combine(RepoRoot, "Sample.Web", "Sample.Web.csproj"), "-c", "Release", "-o", output, "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8))) { process.Kill(true); throw new TimeoutException("dotnet publish Sample.Web took over 8 minutes."); }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish Sample.Web failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        string wwwroot = Path.Combine(output, "wwwroot");
        if (!File.Exists(Path.Combine(wwwroot, "index.html"))) throw new InvalidOperationException($"The publish output has no {wwwroot}/index.html.");
        return wwwroot;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CnnGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("CnnGen.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The published page on http://127.0.0.1:port, static files only (what any static host does).</summary>
public sealed class PageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PageServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<PageServer> StartAsync(string wwwroot)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var files = new PhysicalFileProvider(wwwroot);
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".dat"] = "application/octet-stream";
        types.Mappings[".wasm"] = "application/wasm";
        types.Mappings[".model"] = "application/octet-stream";
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ContentTypeProvider = types, ServeUnknownFileTypes = true });
        await app.StartAsync();
        string url = app.Urls.First().TrimEnd('/') + "/";
        return new PageServer(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<WebAppFixture> { }
