// During development (dotnet run) the service worker does nothing: every request goes to the server, so edits show.
// The published app uses service-worker.published.js instead, which makes the page work offline.
self.addEventListener('fetch', () => { });
