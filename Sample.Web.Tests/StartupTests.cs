using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using OpenQA.Selenium;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Web.Tests;

/// <summary>Time to the first prediction in a fresh browser (empty cache), the README's figure: three cold starts.</summary>
[Collection("browser")]
public sealed class StartupTests(WebAppFixture web, ITestOutputHelper output)
{
    [Fact]
    public void FirstPredictionInAFreshBrowser()
    {
        var times = new double[3];
        for (int run = 0; run < times.Length; run++)
        {
            using var browser = WebAppFixture.StartBrowser(WebAppFixture.Chromium, WebAppFixture.ChromeDriver);
            try
            {
                browser.Navigate().GoToUrl(web.Server.Url);
                var clock = Stopwatch.StartNew();
                string text = "-";
                while (clock.Elapsed < TimeSpan.FromMinutes(2))
                {
                    if (browser.FindElements(By.Id("first-prediction")) is { Count: > 0 } found && (text = found[0].Text.Trim()) != "-") break;
                    Thread.Sleep(50);
                }
                Assert.EndsWith(" ms", text);
                times[run] = double.Parse(text[..^3], CultureInfo.InvariantCulture);
                // bytes the page fetched (transfer sizes, as the browser counts them)
                var bytes = ((IJavaScriptExecutor)browser).ExecuteScript(
                    "return performance.getEntriesByType('resource').reduce((s, e) => s + e.transferSize, 0) + performance.getEntriesByType('navigation')[0].transferSize;");
                output.WriteLine($"cold start {run + 1}: first prediction {text} after navigation start, {Convert.ToInt64(bytes, CultureInfo.InvariantCulture):N0} bytes transferred");
            }
            finally { browser.Quit(); }
        }
        Array.Sort(times);
        output.WriteLine($"median first prediction: {times[1]:F0} ms");
        long published = Directory.EnumerateFiles(web.WwwRoot, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".br", StringComparison.Ordinal) && !f.EndsWith(".gz", StringComparison.Ordinal) || f.EndsWith(".bin.gz", StringComparison.Ordinal))
            .Sum(f => new FileInfo(f).Length);
        output.WriteLine($"published wwwroot without its .br/.gz copies: {published:N0} bytes");
    }
}
