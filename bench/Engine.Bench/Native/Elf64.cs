using System.Buffers.Binary;
using System.Text;

namespace Engine.Bench.Native;

/// <summary>A little-endian ELF64 shared object held in memory: just enough of the format to read and edit the
/// dynamic-linking tables (section headers, .dynamic, .dynsym, .gnu.version, .gnu.version_r, .gnu.version_d) in
/// place. Nothing is inserted or moved; edits overwrite bytes whose size does not change.</summary>
public sealed class Elf64
{
    // Section types (elf.h).
    public const uint ShtDynsym = 11;
    public const uint ShtDynamic = 6;
    public const uint ShtGnuVerdef = 0x6ffffffd;
    public const uint ShtGnuVerneed = 0x6ffffffe;
    public const uint ShtGnuVersym = 0x6fffffff;

    // Dynamic tags.
    public const long DtNull = 0;
    public const long DtNeeded = 1;
    public const long DtStrtab = 5;
    public const long DtSoname = 14;
    public const long DtRpath = 15;
    public const long DtRunpath = 29;

    /// <summary>vna_flags bit: a missing version is a warning, not an error (VER_FLG_WEAK).</summary>
    public const ushort VerFlagWeak = 0x2;

    /// <summary>.gnu.version index meaning "global, unversioned" (VER_NDX_GLOBAL).</summary>
    public const ushort VersionIndexGlobal = 1;

    private readonly byte[] data;

    private Elf64(byte[] data, string path)
    {
        this.data = data;
        Path = path;
        if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
            throw new InvalidDataException($"{path}: not an ELF file");
        if (data[4] != 2 || data[5] != 1)
            throw new InvalidDataException($"{path}: only little-endian ELF64 is supported (class {data[4]}, data {data[5]})");
        var shoff = U64(0x28);
        var shentsize = U16(0x3a);
        var shnum = U16(0x3c);
        var shstrndx = U16(0x3e);
        if (shentsize != 64 || shoff == 0 || shoff + (ulong)shnum * 64 > (ulong)data.Length)
            throw new InvalidDataException($"{path}: bad section header table (offset {shoff}, {shnum} entries of {shentsize} bytes)");
        var headers = new SectionHeader[shnum];
        for (var i = 0; i < shnum; i++)
        {
            var at = (int)shoff + i * 64;
            headers[i] = new SectionHeader(i, "", U32(at), U32(at + 4), U64(at + 16), (long)U64(at + 24), (long)U64(at + 32),
                (int)U32(at + 40), U32(at + 44), (long)U64(at + 56));
            if (headers[i].Type != 8 /* SHT_NOBITS */ && headers[i].Offset + headers[i].Size > data.Length)
                throw new InvalidDataException($"{path}: section {i} runs past the end of the file");
        }
        var names = headers[shstrndx];
        Sections = headers.Select(h => h with { Name = CString(names.Offset + h.NameOffset) }).ToArray();
    }

    public string Path { get; }

    public IReadOnlyList<SectionHeader> Sections { get; }

    public static Elf64 Read(string path) => new(File.ReadAllBytes(path), path);

    public void Write(string path) => File.WriteAllBytes(path, data);

    public SectionHeader? FindSection(uint type) => Sections.FirstOrDefault(s => s.Type == type);

    private SectionHeader Require(uint type, string what) =>
        FindSection(type) ?? throw new InvalidDataException($"{Path}: no {what} section");

    /// <summary>The string at <paramref name="offset"/> in the string table that section <paramref name="owner"/>
    /// links to (sh_link).</summary>
    public string LinkedString(SectionHeader owner, uint offset) => CString(Sections[owner.Link].Offset + offset);

    /// <summary>Version names this file defines (.gnu.version_d), e.g. GLIBCXX_3.4.30 for libstdc++.</summary>
    public IReadOnlyList<string> VersionDefinitions()
    {
        var verdef = FindSection(ShtGnuVerdef);
        if (verdef is null) return [];
        var result = new List<string>();
        var at = verdef.Offset;
        for (var i = 0; i < verdef.Info; i++)
        {
            var auxCount = U16((int)at + 6);
            var aux = at + U32((int)at + 12);
            if (auxCount > 0) result.Add(LinkedString(verdef, U32((int)aux)));
            var next = U32((int)at + 16);
            if (next == 0) break;
            at += next;
        }
        return result;
    }

    /// <summary>Every version this file needs (.gnu.version_r): the library it is needed from and the Vernaux
    /// entry's name, flags, version index and file offset.</summary>
    public IReadOnlyList<VersionNeed> VersionNeeds()
    {
        var verneed = FindSection(ShtGnuVerneed);
        if (verneed is null) return [];
        var result = new List<VersionNeed>();
        var at = verneed.Offset;
        for (var i = 0; i < verneed.Info; i++)
        {
            var count = U16((int)at + 2);
            var file = LinkedString(verneed, U32((int)at + 4));
            var aux = at + U32((int)at + 8);
            for (var j = 0; j < count; j++)
            {
                result.Add(new VersionNeed(file, LinkedString(verneed, U32((int)aux + 8)), U16((int)aux + 4), U16((int)aux + 6), aux));
                var nextAux = U32((int)aux + 12);
                if (nextAux == 0) break;
                aux += nextAux;
            }
            var next = U32((int)at + 12);
            if (next == 0) break;
            at += next;
        }
        return result;
    }

    /// <summary>Sets VER_FLG_WEAK on the Vernaux entry for <paramref name="version"/> needed from
    /// <paramref name="library"/>, so the loader only warns when that version is missing. Returns the entry.</summary>
    public VersionNeed MarkVersionNeedWeak(string library, string version)
    {
        var need = VersionNeeds().FirstOrDefault(n => n.Library == library && n.Version == version)
            ?? throw new InvalidDataException($"{Path}: needs no version {version} from {library}");
        var flags = (ushort)(need.Flags | VerFlagWeak);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan((int)need.FileOffset + 4), flags);
        return need with { Flags = flags };
    }

    /// <summary>The dynamic symbol table's names in index order.</summary>
    public IReadOnlyList<string> DynamicSymbolNames()
    {
        var dynsym = Require(ShtDynsym, ".dynsym");
        var count = (int)(dynsym.Size / 24);
        var names = new string[count];
        for (var i = 0; i < count; i++) names[i] = LinkedString(dynsym, U32((int)dynsym.Offset + i * 24));
        return names;
    }

    /// <summary>The .gnu.version index of dynamic symbol <paramref name="index"/>.</summary>
    public ushort SymbolVersionIndex(int index) => U16((int)Require(ShtGnuVersym, ".gnu.version").Offset + 2 * index);

    /// <summary>Binds every dynamic symbol named <paramref name="symbol"/> to no particular version (index 1), as
    /// `patchelf --clear-symbol-version` does. Returns how many entries changed.</summary>
    public int ClearSymbolVersion(string symbol)
    {
        var versym = Require(ShtGnuVersym, ".gnu.version");
        var names = DynamicSymbolNames();
        var changed = 0;
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] != symbol || SymbolVersionIndex(i) == VersionIndexGlobal) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan((int)versym.Offset + 2 * i), VersionIndexGlobal);
            changed++;
        }
        return changed;
    }

    /// <summary>The .dynamic entries up to and including the first DT_NULL, plus the number of slots after it (free
    /// room that linkers leave for later edits).</summary>
    public (IReadOnlyList<DynamicEntry> Entries, int SpareSlots) DynamicEntries()
    {
        var dynamic = Require(ShtDynamic, ".dynamic");
        var slots = (int)(dynamic.Size / 16);
        var entries = new List<DynamicEntry>();
        for (var i = 0; i < slots; i++)
        {
            var at = dynamic.Offset + i * 16;
            var entry = new DynamicEntry((long)U64((int)at), U64((int)at + 8), at);
            entries.Add(entry);
            if (entry.Tag == DtNull) return (entries, slots - i - 1);
        }
        throw new InvalidDataException($"{Path}: .dynamic has no DT_NULL terminator");
    }

    /// <summary>The string a string-valued dynamic entry (DT_NEEDED, DT_RUNPATH, ...) names.</summary>
    public string DynamicString(DynamicEntry entry) => LinkedString(Require(ShtDynamic, ".dynamic"), (uint)entry.Value);

    /// <summary>Adds DT_NEEDED <paramref name="library"/> without growing the file: the new entry takes the
    /// terminating DT_NULL slot (a spare DT_NULL after it keeps the table terminated), and its name is written into
    /// the RUNPATH string, which is cut to its first component <paramref name="keptRunpath"/> (the other
    /// components must be disposable: the caller decides). Fails if anything else in the file points into the
    /// bytes that are overwritten.</summary>
    public void AddNeededInRunpathTail(string library, string keptRunpath)
    {
        var (entries, spare) = DynamicEntries();
        if (spare < 1)
            throw new InvalidDataException($"{Path}: .dynamic has no spare slot for another DT_NEEDED");
        var runpath = entries.FirstOrDefault(e => e.Tag is DtRunpath or DtRpath)
            ?? throw new InvalidDataException($"{Path}: no DT_RUNPATH whose string could hold the new DT_NEEDED name");
        var old = DynamicString(runpath);
        if (!old.StartsWith(keptRunpath + ":", StringComparison.Ordinal))
            throw new InvalidDataException($"{Path}: RUNPATH '{old}' does not start with '{keptRunpath}:'");
        var newBytes = Encoding.UTF8.GetBytes(keptRunpath + "\0" + library + "\0");
        var oldLength = Encoding.UTF8.GetByteCount(old);
        if (newBytes.Length > oldLength + 1)
            throw new InvalidDataException($"{Path}: RUNPATH '{old}' is too short to hold '{library}'");

        // Every other string reference into .dynstr must stay outside the rewritten bytes.
        var start = runpath.Value;
        var firstOverwritten = start + (ulong)keptRunpath.Length;
        var lastOverwritten = start + (ulong)newBytes.Length - 1;
        foreach (var offset in StringReferences(entries, except: runpath))
            if (offset >= firstOverwritten && offset <= lastOverwritten)
                throw new InvalidDataException($"{Path}: another string shares the RUNPATH bytes at .dynstr offset {offset}");

        var dynstr = Sections[Require(ShtDynamic, ".dynamic").Link];
        newBytes.CopyTo(data, dynstr.Offset + (long)start);
        var slot = entries[^1];
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan((int)slot.FileOffset), DtNeeded);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan((int)slot.FileOffset + 8), start + (ulong)keptRunpath.Length + 1);
    }

    /// <summary>.dynstr offsets used by symbols, version tables and string-valued dynamic entries.</summary>
    private IEnumerable<ulong> StringReferences(IReadOnlyList<DynamicEntry> entries, DynamicEntry except)
    {
        foreach (var e in entries)
            if (e != except && e.Tag is DtNeeded or DtSoname or DtRpath or DtRunpath)
                yield return e.Value;
        var dynsym = Require(ShtDynsym, ".dynsym");
        for (var i = 0; i < dynsym.Size / 24; i++) yield return U32((int)(dynsym.Offset + i * 24));
        var verneed = FindSection(ShtGnuVerneed);
        if (verneed is not null)
        {
            var at = verneed.Offset;
            for (var i = 0; i < verneed.Info; i++)
            {
                yield return U32((int)at + 4);
                var aux = at + U32((int)at + 8);
                for (var j = 0; j < U16((int)at + 2); j++)
                {
                    yield return U32((int)aux + 8);
                    aux += U32((int)aux + 12);
                }
                at += U32((int)at + 12);
            }
        }
        var verdef = FindSection(ShtGnuVerdef);
        if (verdef is not null)
        {
            var at = verdef.Offset;
            for (var i = 0; i < verdef.Info; i++)
            {
                var aux = at + U32((int)at + 12);
                for (var j = 0; j < U16((int)at + 6); j++)
                {
                    yield return U32((int)aux);
                    aux += U32((int)aux + 4);
                }
                at += U32((int)at + 16);
            }
        }
    }

    private ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(at));

    private uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at));

    private ulong U64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at));

    private string CString(long at)
    {
        var end = Array.IndexOf(data, (byte)0, (int)at);
        if (end < 0) throw new InvalidDataException($"{Path}: unterminated string at offset {at}");
        return Encoding.UTF8.GetString(data, (int)at, end - (int)at);
    }

    public sealed record SectionHeader(
        int Index, string Name, uint NameOffset, uint Type, ulong Address, long Offset, long Size, int Link, uint Info, long EntrySize);

    public sealed record VersionNeed(string Library, string Version, ushort Flags, ushort Index, long FileOffset);

    public sealed record DynamicEntry(long Tag, ulong Value, long FileOffset);
}
