using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Web.Tests;

/// <summary>Once loaded, the page works with its server gone: the service worker serves every asset from its cache.</summary>
[Collection("browser")]
public sealed class OfflineTests(WebAppFixture web, ITestOutputHelper output)
{
    [Fact]
    public async Task ThePageLoadsAndPredictsAfterItsServerIsGone()
    {
        // a server of its own (its own origin, so its own service worker), stopped halfway
        var server = await PageServer.StartAsync(web.WwwRoot);
        var browser = web.Driver;
        browser.Navigate().GoToUrl(server.Url);
        Wait(browser, "first-prediction", t => t != "-", TimeSpan.FromMinutes(2));
        // wait until the service worker is installed and active (its cache is filled at install)
        var js = (IJavaScriptExecutor)browser;
        var state = js.ExecuteAsyncScript("const done = arguments[arguments.length - 1]; navigator.serviceWorker.ready.then(r => done(r.active ? r.active.state : 'none'));");
        output.WriteLine("service worker: " + state);
        await server.DisposeAsync();

        var clock = Stopwatch.StartNew();
        browser.Navigate().Refresh();
        string first = Wait(browser, "first-prediction", t => t != "-", TimeSpan.FromMinutes(2));
        output.WriteLine($"offline reload: first prediction {first} after navigation start");
        new Actions(browser).MoveToElement(browser.FindElement(By.Id("pad"))).MoveByOffset(-85, -95).ClickAndHold()
            .Stroke(170, 0).Stroke(-90, 200).Release().Perform();
        Assert.Equal("7", Wait(browser, "prediction", t => t != "-", TimeSpan.FromSeconds(60)));
        // the generated code and the training data come from the cache too
        Assert.Contains("Conv1_Forward", browser.FindElement(By.CssSelector("#layer-Conv1 .layer-code pre")).GetAttribute("textContent"));
        var data = js.ExecuteAsyncScript("const done = arguments[arguments.length - 1]; fetch('data/mnist-slice.bin.gz').then(r => r.arrayBuffer()).then(b => done(b.byteLength), e => done(String(e)));");
        output.WriteLine("MNIST slice from the cache: " + data + " bytes");
        Assert.IsType<long>(data);
    }

    private static string Wait(IWebDriver browser, string id, Func<string, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string text = "";
        while (clock.Elapsed < timeout)
        {
            try
            {
                text = browser.FindElement(By.Id(id)).Text.Trim();
                if (done(text)) return text;
            }
            catch (Exception e) when (e is NoSuchElementException or StaleElementReferenceException) { }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"#{id} still reads '{text}' after {timeout.TotalSeconds} s");
    }
}
