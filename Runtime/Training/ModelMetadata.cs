using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace CnnGen.Training;

/// <summary>
/// Text saved beside the weights (for example how inputs were normalized and the class names), as ordered string
/// key/value pairs with unique, non-empty keys. Compares by value.
/// </summary>
public sealed class ModelMetadata : IReadOnlyDictionary<string, string>, IEquatable<ModelMetadata>
{
    /// <summary>Most pairs a file may hold.</summary>
    public const int MaxEntries = 1024;

    private readonly KeyValuePair<string, string>[] _entries;
    private readonly Dictionary<string, string> _lookup;

    /// <summary>Copies <paramref name="entries"/>, keeping their order; keys must be unique and non-empty.</summary>
    public ModelMetadata(IEnumerable<KeyValuePair<string, string>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries];
        if (_entries.Length > MaxEntries)
            throw new ArgumentException($"Model metadata holds {_entries.Length} entries; at most {MaxEntries} are allowed.", nameof(entries));
        _lookup = new Dictionary<string, string>(_entries.Length, StringComparer.Ordinal);
        foreach (var (key, value) in _entries)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("Model metadata keys must be non-empty.", nameof(entries));
            ArgumentNullException.ThrowIfNull(value, $"metadata value of '{key}'");
            if (!_lookup.TryAdd(key, value)) throw new ArgumentException($"Model metadata key '{key}' appears twice.", nameof(entries));
        }
    }

    /// <summary>No metadata.</summary>
    public static ModelMetadata Empty { get; } = new([]);

    /// <inheritdoc/>
    public string this[string key] => _lookup[key];
    /// <inheritdoc/>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);
    /// <inheritdoc/>
    public IEnumerable<string> Values => _entries.Select(e => e.Value);
    /// <inheritdoc/>
    public int Count => _entries.Length;
    /// <inheritdoc/>
    public bool ContainsKey(string key) => _lookup.ContainsKey(key);
    /// <inheritdoc/>
    public bool TryGetValue(string key, out string value) => _lookup.TryGetValue(key, out value!);
    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_entries).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key) => _lookup.TryGetValue(key, out var value) ? value : null;

    /// <inheritdoc/>
    public bool Equals(ModelMetadata? other) =>
        other is not null && _entries.Length == other._entries.Length &&
        _entries.AsSpan().SequenceEqual(other._entries, EntryComparer.Instance);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ModelMetadata);
    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in _entries) { hash.Add(key, StringComparer.Ordinal); hash.Add(value, StringComparer.Ordinal); }
        return hash.ToHashCode();
    }
    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", _entries.Select(e => $"{e.Key}={e.Value}"));

    private sealed class EntryComparer : IEqualityComparer<KeyValuePair<string, string>>
    {
        public static readonly EntryComparer Instance = new();
        public bool Equals(KeyValuePair<string, string> x, KeyValuePair<string, string> y) =>
            string.Equals(x.Key, y.Key, StringComparison.Ordinal) && string.Equals(x.Value, y.Value, StringComparison.Ordinal);
        public int GetHashCode(KeyValuePair<string, string> e) => HashCode.Combine(e.Key, e.Value);
    }
}
