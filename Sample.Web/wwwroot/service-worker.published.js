// Works offline once loaded: at install, every asset of the published app (listed with its hash in service-worker-assets.js,
// which the publish writes) goes into a cache named after the manifest's version; afterwards each GET is answered from it,
// page navigations with index.html. A new publish has a new version, so its assets replace the old cache.
self.importScripts('./service-worker-assets.js');
self.addEventListener('install', event => event.waitUntil(onInstall()));
self.addEventListener('activate', event => event.waitUntil(onActivate()));
self.addEventListener('fetch', event => event.respondWith(onFetch(event)));

const cacheNamePrefix = 'cnngen-offline-';
const cacheName = `${cacheNamePrefix}${self.assetsManifest.version}`;
const offlineAssetsInclude = [/\.dll$/, /\.pdb$/, /\.wasm/, /\.html/, /\.js$/, /\.json$/, /\.css$/, /\.dat$/, /\.model$/, /\.bin\.gz$/, /\.txt$/, /\.ico$/, /\.png$/];
const offlineAssetsExclude = [/^service-worker\.js$/];

async function onInstall() {
    const requests = self.assetsManifest.assets
        .filter(asset => offlineAssetsInclude.some(pattern => pattern.test(asset.url)))
        .filter(asset => !offlineAssetsExclude.some(pattern => pattern.test(asset.url)))
        .map(asset => new Request(asset.url, { integrity: asset.hash, cache: 'no-cache' }));
    const cache = await caches.open(cacheName);
    await cache.addAll(requests);
}

async function onActivate() {
    const keys = await caches.keys();
    await Promise.all(keys.filter(key => key.startsWith(cacheNamePrefix) && key !== cacheName).map(key => caches.delete(key)));
}

async function onFetch(event) {
    let cached = null;
    if (event.request.method === 'GET') {
        const request = event.request.mode === 'navigate' ? 'index.html' : event.request;
        const cache = await caches.open(cacheName);
        cached = await cache.match(request, { ignoreSearch: event.request.mode === 'navigate' });
    }
    return cached || fetch(event.request);
}
