//! The fast path of the Parquet person reader: the needed columns' pages decoded straight into
//! the counting's column slices, without building Arrow arrays.
//!
//! It reads the pages the `parquet` crate hands over (decompressed, any codec) and decodes
//! them itself: PLAIN and dictionary (`RLE_DICTIONARY`, `PLAIN_DICTIONARY`) values, PLAIN and
//! RLE booleans, definition levels of columns of depth one, data pages of version 1 and 2. Any
//! other layout (another encoding, repeated fields, a null in a column that may not have one, a
//! page that does not decode) makes it answer [`Fast::Unsupported`] before it has counted
//! anything of the file, and the caller reads the file with the general Arrow path, which
//! reads every valid file and words its own errors. The fast path therefore never decides
//! whether a file is valid on its own, except for what it validates as the general path does
//! (`validate`, unknown areas), with the same messages and the same row numbers.

use bytes::{Buf, Bytes};
use parquet::basic::{Encoding, Type as PhysicalType};
use parquet::column::page::{Page, PageReader};
use parquet::file::metadata::{ParquetMetaData, RowGroupMetaData};
use parquet::file::reader::{ChunkReader, Length};
use parquet::file::serialized_reader::SerializedPageReader;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};

/// Why the fast path did not count a row group.
pub(crate) enum Fast<E> {
    /// The layout is not one it decodes (or a page is damaged): read with the general path.
    Unsupported,
    /// The data is invalid, as the general path would say.
    Invalid(E),
}

type R<T> = Result<T, Fast<std::convert::Infallible>>;

fn unsupported<T>() -> R<T> {
    Err(Fast::Unsupported)
}

/// A run-length / bit-packed hybrid decoder (the Parquet `RLE` encoding) over `buf[pos..end]`.
#[derive(Default)]
struct Rle {
    pos: usize,
    end: usize,
    width: u32,
    repeat_left: usize,
    repeat_value: u32,
    packed_left: usize,
    bit: usize,
}

impl Rle {
    fn new(pos: usize, end: usize, width: u32) -> Rle {
        Rle {
            pos,
            end,
            width,
            ..Rle::default()
        }
    }

    /// Fills `out` entirely, or fails on data that runs out.
    fn fill(&mut self, buf: &[u8], out: &mut [u32]) -> R<()> {
        self.fill_map(buf, out, &|v| v)
    }

    /// Fills `out` entirely with `f` of each value, or fails on data that runs out: the
    /// unpacking and what is done with a value in one pass.
    #[inline(always)]
    fn fill_map<T: Copy>(&mut self, buf: &[u8], out: &mut [T], f: &impl Fn(u32) -> T) -> R<()> {
        let mut i = 0;
        let w = self.width as usize;
        let mask: u64 = (1u64 << self.width) - 1;
        while i < out.len() {
            if self.repeat_left > 0 {
                let k = self.repeat_left.min(out.len() - i);
                out[i..i + k].fill(f(self.repeat_value));
                self.repeat_left -= k;
                i += k;
                continue;
            }
            if self.packed_left > 0 {
                let k = self.packed_left.min(out.len() - i);
                let mut bit = self.bit;
                let mut o = i;
                // Whole groups of eight from a byte boundary, unrolled for the bit width.
                if bit & 7 == 0 && w <= 16 {
                    let groups = (i + k - o) / 8;
                    let done = unpack_groups(
                        w,
                        &buf[(bit >> 3).min(buf.len())..],
                        &mut out[o..o + groups * 8],
                        f,
                    );
                    o += done * 8;
                    bit += done * 8 * w;
                }
                for o in &mut out[o..i + k] {
                    let byte = bit >> 3;
                    let word = match buf.get(byte..byte + 8) {
                        Some(b) => u64::from_le_bytes(b.try_into().expect("8 bytes")),
                        None => {
                            let mut b = [0u8; 8];
                            let tail = &buf[byte.min(buf.len())..];
                            b[..tail.len().min(8)].copy_from_slice(&tail[..tail.len().min(8)]);
                            u64::from_le_bytes(b)
                        }
                    };
                    *o = f(((word >> (bit & 7)) & mask) as u32);
                    bit += w;
                }
                self.bit = bit;
                self.packed_left -= k;
                i += k;
                continue;
            }
            // A run header: ULEB128.
            let mut header: u64 = 0;
            let mut shift = 0;
            loop {
                if self.pos >= self.end || shift > 56 {
                    return unsupported();
                }
                let b = buf[self.pos];
                self.pos += 1;
                header |= u64::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            if header & 1 == 1 {
                let groups = (header >> 1) as usize;
                let bytes = groups.saturating_mul(w);
                let available = (self.end - self.pos).min(bytes);
                self.bit = self.pos * 8;
                // A last run may be cut short of its whole groups: only what the data holds.
                self.packed_left = match (available * 8).checked_div(w) {
                    Some(fit) => groups.saturating_mul(8).min(fit),
                    None => groups.saturating_mul(8),
                };
                self.pos += available;
                if self.packed_left == 0 && groups > 0 {
                    return unsupported();
                }
            } else {
                let n = (w).div_ceil(8);
                if self.pos + n > self.end {
                    return unsupported();
                }
                let mut v = 0u32;
                for (k, b) in buf[self.pos..self.pos + n].iter().enumerate() {
                    v |= u32::from(*b) << (8 * k);
                }
                if w < 32 && v >> w != 0 {
                    return unsupported(); // wider than the bit width: not a valid run
                }
                self.pos += n;
                self.repeat_left = (header >> 1) as usize;
                self.repeat_value = v;
            }
        }
        Ok(())
    }
}

/// Unpacks whole groups of eight `w`-bit values (`w` ≤ 16) from `src` into `out` (a multiple of
/// eight long), as many as `src` holds with 16 bytes to spare; returns the number of groups.
#[inline(always)]
fn unpack_groups<T: Copy>(w: usize, src: &[u8], out: &mut [T], f: &impl Fn(u32) -> T) -> usize {
    #[inline(always)]
    fn groups<const W: usize, T: Copy>(src: &[u8], out: &mut [T], f: &impl Fn(u32) -> T) -> usize {
        if W == 0 {
            out.fill(f(0));
            return out.len() / 8;
        }
        let n = (out.len() / 8).min(src.len().saturating_sub(16) / W);
        let mask: u64 = (1u64 << W) - 1;
        for (g, o) in out.chunks_exact_mut(8).take(n).enumerate() {
            let b = &src[g * W..];
            if W <= 8 {
                let v = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
                for (j, x) in o.iter_mut().enumerate() {
                    *x = f(((v >> (j * W)) & mask) as u32);
                }
            } else {
                let lo = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
                let hi = u64::from_le_bytes(b[8..16].try_into().expect("8 bytes"));
                let v = u128::from(lo) | (u128::from(hi) << 64);
                for (j, x) in o.iter_mut().enumerate() {
                    *x = f(((v >> (j * W)) as u64 & mask) as u32);
                }
            }
        }
        n
    }
    macro_rules! by_width {
        ($($w:literal)*) => {
            match w {
                $($w => groups::<$w, T>(src, out, f),)*
                _ => 0,
            }
        };
    }
    by_width!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
}

/// A value of a needed column as the counting holds it, read from its Parquet physical type
/// the way the Arrow reader converts it (`as`).
pub(crate) trait Value: Copy + Default + Send {
    /// The Parquet physical type.
    const PHYSICAL: PhysicalType;
    /// Bytes of one PLAIN value.
    const WIDTH: usize;
    /// One PLAIN value (`b` holds exactly `WIDTH` bytes).
    fn plain(b: &[u8]) -> Self;
    /// A `DELTA_BINARY_PACKED` value (decoded as 64-bit, wrapping), converted as `plain`
    /// converts the physical value; `None` for a floating-point type, which has no such
    /// encoding.
    fn delta(v: i64) -> Option<Self>;
}

macro_rules! value {
    ($t:ty, $phys:ident, $raw:ty, $w:literal, $int:literal) => {
        impl Value for $t {
            const PHYSICAL: PhysicalType = PhysicalType::$phys;
            const WIDTH: usize = $w;
            #[inline(always)]
            fn plain(b: &[u8]) -> Self {
                <$raw>::from_le_bytes(b.try_into().expect("width")) as $t
            }
            #[inline(always)]
            fn delta(v: i64) -> Option<Self> {
                // The low bits of a wrapping 64-bit sum are those of the wrapping 32-bit one.
                $int.then(|| v as $raw as $t)
            }
        }
    };
}
value!(u8, INT32, i32, 4, true);
value!(u16, INT32, i32, 4, true);
value!(i16, INT32, i32, 4, true);
value!(u64, INT64, i64, 8, true);
value!(f32, FLOAT, f32, 4, false);
value!(f64, DOUBLE, f64, 8, false);

/// A `DELTA_BINARY_PACKED` decoder over `buf[pos..end]` (one data page's values): a header
/// (block size, miniblocks per block, value count, first value), then blocks of a minimum
/// delta, one bit width per miniblock and the miniblocks, each delta less the minimum,
/// bit-packed as the `RLE` encoding packs.
struct Delta {
    pos: usize,
    end: usize,
    per_mini: usize,
    minis: usize,
    /// Values not yet handed out (the header's count, the first value included).
    left: usize,
    /// The last value handed out (or the first value, before it is).
    last: i64,
    first_pending: bool,
    min_delta: i64,
    widths: Vec<u8>,
    /// The next miniblock of the current block (`minis`: a new block begins).
    mini: usize,
    /// The current miniblock's deltas (less the minimum), and how many are handed out.
    unpacked: Vec<u64>,
    at: usize,
}

/// A ULEB128 integer at `*pos` (before `end`).
fn uleb(buf: &[u8], pos: &mut usize, end: usize) -> R<u64> {
    let mut v: u64 = 0;
    let mut shift = 0;
    loop {
        if *pos >= end || shift > 63 {
            return unsupported();
        }
        let b = buf[*pos];
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
}

/// A zigzag ULEB128 integer.
fn zigzag(buf: &[u8], pos: &mut usize, end: usize) -> R<i64> {
    let v = uleb(buf, pos, end)?;
    Ok((v >> 1) as i64 ^ -((v & 1) as i64))
}

impl Delta {
    fn new(buf: &[u8], mut pos: usize) -> R<Delta> {
        let end = buf.len();
        let block = uleb(buf, &mut pos, end)? as usize;
        let minis = uleb(buf, &mut pos, end)? as usize;
        let left = uleb(buf, &mut pos, end)? as usize;
        let first = zigzag(buf, &mut pos, end)?;
        if minis == 0
            || block == 0
            || !block.is_multiple_of(minis)
            || !(block / minis).is_multiple_of(8)
        {
            return unsupported();
        }
        Ok(Delta {
            pos,
            end,
            per_mini: block / minis,
            minis,
            left,
            last: first,
            first_pending: true,
            min_delta: 0,
            widths: Vec::new(),
            mini: minis,
            unpacked: Vec::new(),
            at: 0,
        })
    }

    /// Unpacks the next miniblock (beginning a new block where one ends).
    fn next_mini(&mut self, buf: &[u8]) -> R<()> {
        if self.mini == self.minis {
            self.min_delta = zigzag(buf, &mut self.pos, self.end)?;
            let Some(w) = buf.get(self.pos..self.pos + self.minis) else {
                return unsupported();
            };
            if self.pos + self.minis > self.end {
                return unsupported();
            }
            self.widths.clear();
            self.widths.extend_from_slice(w);
            self.pos += self.minis;
            self.mini = 0;
        }
        let w = usize::from(self.widths[self.mini]);
        if w > 64 {
            return unsupported();
        }
        self.mini += 1;
        // Only the values still to come: the last miniblock may be padded (or not).
        let n = self.per_mini.min(self.left);
        let bytes = (n * w).div_ceil(8);
        if self.pos + bytes > self.end {
            return unsupported();
        }
        let src = &buf[self.pos..self.end];
        self.unpacked.clear();
        self.unpacked.resize(n, 0);
        if w <= 16 {
            let mut idx = [0u32; 64];
            let mut o = 0;
            while o < n {
                let k = (n - o).min(64);
                let group = &mut idx[..k.div_ceil(8) * 8];
                let bit = o * w;
                let done = unpack_groups(w, &src[bit >> 3..], group, &|v| v) * 8;
                for (j, x) in group.iter_mut().enumerate().skip(done) {
                    *x = bits(src, bit + j * w, w) as u32;
                }
                for (u, &x) in self.unpacked[o..o + k].iter_mut().zip(group.iter()) {
                    *u = u64::from(x);
                }
                o += k;
            }
        } else {
            for (j, u) in self.unpacked.iter_mut().enumerate() {
                *u = bits(src, j * w, w);
            }
        }
        self.pos = (self.pos + (self.per_mini * w).div_ceil(8)).min(self.end);
        self.at = 0;
        Ok(())
    }

    /// Fills `out` entirely, or fails on data that runs out.
    fn fill<T: Value>(&mut self, buf: &[u8], out: &mut Vec<T>, k: usize) -> R<()> {
        if k > self.left {
            return unsupported();
        }
        let mut done = 0;
        if self.first_pending && k > 0 {
            self.first_pending = false;
            self.left -= 1;
            out.push(T::delta(self.last).ok_or(Fast::Unsupported)?);
            done = 1;
        }
        while done < k {
            if self.at == self.unpacked.len() {
                self.next_mini(buf)?;
                if self.unpacked.is_empty() {
                    return unsupported();
                }
            }
            let take = (k - done).min(self.unpacked.len() - self.at);
            let (mut last, min) = (self.last, self.min_delta);
            for &d in &self.unpacked[self.at..self.at + take] {
                last = last.wrapping_add(min).wrapping_add(d as i64);
                out.push(T::delta(last).ok_or(Fast::Unsupported)?);
            }
            self.last = last;
            self.at += take;
            self.left -= take;
            done += take;
        }
        Ok(())
    }
}

/// The `w`-bit value (`w` ≤ 64) at bit `bit` of `src`, little-endian; bytes past the end
/// read as zero.
fn bits(src: &[u8], bit: usize, w: usize) -> u64 {
    let byte = bit >> 3;
    let mut b = [0u8; 16];
    let tail = &src[byte.min(src.len())..];
    let n = tail.len().min(16);
    b[..n].copy_from_slice(&tail[..n]);
    let v = u128::from_le_bytes(b) >> (bit & 7);
    if w == 64 {
        v as u64
    } else {
        (v as u64) & ((1u64 << w) - 1)
    }
}

/// Where the values of the current data page are, and how they are encoded.
enum Values {
    None,
    Plain { pos: usize, end: usize },
    Dict(Rle),
    Bits { bit: usize, end: usize },
    BoolRle(Rle),
    Delta(Delta),
}

/// One column chunk being read: its pages, its dictionary, the current page.
struct Chunk {
    pages: Box<dyn PageReader>,
    nullable_levels: bool,
    page: Option<Page>,
    rows_left: usize,
    defs: Option<Rle>,
    values: Values,
    idx: Vec<u32>,
    levels: Vec<u32>,
}

impl Chunk {
    fn new(rg: &Group<'_>, column: usize, physical: PhysicalType) -> R<Chunk> {
        if column >= rg.meta.num_columns() {
            return unsupported();
        }
        let meta = rg.meta.column(column);
        let descr = meta.column_descr();
        if descr.physical_type() != physical
            || descr.max_rep_level() != 0
            || descr.max_def_level() > 1
        {
            return unsupported();
        }
        // Not `meta.byte_range()`, which panics on a negative offset or size in a malformed
        // footer (found by the fuzz target `register_parquet`): such a chunk goes to the
        // general path, which refuses the file with its error.
        let start = meta
            .dictionary_page_offset()
            .unwrap_or_else(|| meta.data_page_offset());
        let (Ok(start), Ok(len)) = (u64::try_from(start), u64::try_from(meta.compressed_size()))
        else {
            return unsupported();
        };
        let bytes = ColumnBytes {
            file: rg.file.clone(),
            end: start.checked_add(len).ok_or(Fast::Unsupported)?,
            window: Mutex::new((0, Bytes::new(), Bytes::new())),
        };
        let rows = usize::try_from(rg.meta.num_rows()).or_else(|_| unsupported())?;
        let pages: Box<dyn PageReader> = Box::new(
            SerializedPageReader::new(Arc::new(bytes), meta, rows, None)
                .or_else(|_| unsupported())?,
        );
        Ok(Chunk {
            pages,
            nullable_levels: descr.max_def_level() == 1,
            page: None,
            rows_left: 0,
            defs: None,
            values: Values::None,
            idx: Vec::new(),
            levels: Vec::new(),
        })
    }

    /// Moves to the next data page; hands a dictionary page met on the way to `dict`.
    fn next_page(&mut self, dict: &mut dyn FnMut(&[u8], usize) -> R<()>) -> R<()> {
        // Let go of the current page first, so that its memory can be reused.
        self.page = None;
        loop {
            let page = match self.pages.get_next_page() {
                Ok(Some(p)) => p,
                _ => return unsupported(),
            };
            match &page {
                Page::DictionaryPage {
                    buf,
                    num_values,
                    encoding,
                    ..
                } => {
                    if !matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
                        return unsupported();
                    }
                    dict(buf, *num_values as usize)?;
                }
                Page::DataPage {
                    buf,
                    num_values,
                    encoding,
                    def_level_encoding,
                    ..
                } => {
                    let mut pos = 0;
                    self.defs = None;
                    if self.nullable_levels {
                        if *def_level_encoding != Encoding::RLE || buf.len() < 4 {
                            return unsupported();
                        }
                        let len = u32::from_le_bytes(buf[..4].try_into().expect("4")) as usize;
                        if 4 + len > buf.len() {
                            return unsupported();
                        }
                        self.defs = Some(Rle::new(4, 4 + len, 1));
                        pos = 4 + len;
                    }
                    self.values = values(*encoding, buf, pos)?;
                    self.rows_left = *num_values as usize;
                    self.page = Some(page);
                    return Ok(());
                }
                Page::DataPageV2 {
                    buf,
                    num_values,
                    num_rows,
                    encoding,
                    def_levels_byte_len,
                    rep_levels_byte_len,
                    ..
                } => {
                    let (d, r) = (*def_levels_byte_len as usize, *rep_levels_byte_len as usize);
                    if r != 0 || num_values != num_rows || d + r > buf.len() {
                        return unsupported();
                    }
                    self.defs = self.nullable_levels.then(|| Rle::new(r, r + d, 1));
                    self.values = values(*encoding, buf, r + d)?;
                    self.rows_left = *num_rows as usize;
                    self.page = Some(page);
                    return Ok(());
                }
            }
        }
    }

    /// Reads the definition levels of the next `n` rows of the current page (all 1 when the
    /// column has none) into `self.levels`; returns how many are 1 (values present).
    fn levels(&mut self, n: usize) -> R<usize> {
        let Some(defs) = &mut self.defs else {
            return Ok(n);
        };
        let mut levels = std::mem::take(&mut self.levels);
        levels.clear();
        levels.resize(n, 0);
        let buf = match &self.page {
            Some(Page::DataPage { buf, .. } | Page::DataPageV2 { buf, .. }) => buf,
            _ => return unsupported(),
        };
        defs.fill(buf, &mut levels)?;
        let present = levels.iter().map(|&l| l as usize).sum();
        self.levels = levels;
        Ok(present)
    }
}

fn values(encoding: Encoding, buf: &[u8], pos: usize) -> R<Values> {
    Ok(match encoding {
        Encoding::PLAIN => Values::Plain {
            pos,
            end: buf.len(),
        },
        Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY => {
            let Some(&w) = buf.get(pos) else {
                return unsupported();
            };
            if w > 32 {
                return unsupported();
            }
            Values::Dict(Rle::new(pos + 1, buf.len(), u32::from(w)))
        }
        Encoding::RLE => {
            // Booleans only: a 4-byte length, then bit width 1.
            let Some(b) = buf.get(pos..pos + 4) else {
                return unsupported();
            };
            let len = u32::from_le_bytes(b.try_into().expect("4")) as usize;
            if pos + 4 + len > buf.len() {
                return unsupported();
            }
            Values::BoolRle(Rle::new(pos + 4, pos + 4 + len, 1))
        }
        Encoding::DELTA_BINARY_PACKED => Values::Delta(Delta::new(buf, pos)?),
        _ => return unsupported(),
    })
}

/// A required numeric column.
pub(crate) struct Column<T: Value> {
    chunk: Chunk,
    dict: Vec<T>,
    /// The dictionary padded with defaults to a power of two, so that a look-up of a `w`-bit
    /// index needs no bounds check (whether an index is in `dict` is checked per batch).
    lut: Vec<T>,
}

impl<T: Value> Column<T> {
    /// Opens `column` of the row group.
    pub(crate) fn open(rg: &Group<'_>, column: usize) -> R<Self> {
        Ok(Column {
            chunk: Chunk::new(rg, column, T::PHYSICAL)?,
            dict: Vec::new(),
            lut: Vec::new(),
        })
    }

    /// Appends the next `n` values to `out` (after clearing it).
    pub(crate) fn read(&mut self, n: usize, out: &mut Vec<T>) -> R<()> {
        out.clear();
        out.reserve(n);
        while out.len() < n {
            if self.chunk.rows_left == 0 {
                let (dict, lut) = (&mut self.dict, &mut self.lut);
                self.chunk.next_page(&mut |buf, count| {
                    if buf.len() < count * T::WIDTH {
                        return unsupported();
                    }
                    dict.clear();
                    dict.extend(buf.chunks_exact(T::WIDTH).take(count).map(T::plain));
                    lut.clear();
                    if !dict.is_empty() {
                        lut.extend_from_slice(dict);
                        lut.resize(dict.len().next_power_of_two(), T::default());
                    }
                    Ok(())
                })?;
            }
            let k = self.chunk.rows_left.min(n - out.len());
            if self.chunk.levels(k)? != k {
                return unsupported(); // a null where the column may have none
            }
            self.chunk.rows_left -= k;
            let chunk = &mut self.chunk;
            let buf: &[u8] = match &chunk.page {
                Some(Page::DataPage { buf, .. } | Page::DataPageV2 { buf, .. }) => buf,
                _ => return unsupported(),
            };
            match &mut chunk.values {
                Values::Plain { pos, end } => {
                    let bytes = k * T::WIDTH;
                    if *pos + bytes > *end {
                        return unsupported();
                    }
                    out.extend(buf[*pos..*pos + bytes].chunks_exact(T::WIDTH).map(T::plain));
                    *pos += bytes;
                }
                Values::Dict(rle) if rle.width <= 16 && (1usize << rle.width) <= self.lut.len() => {
                    // Unpacked and looked up in one pass.
                    let lut = &self.lut;
                    let mask = lut.len() - 1;
                    let start = out.len();
                    out.resize(start + k, T::default());
                    let max = std::cell::Cell::new(0u32);
                    rle.fill_map(buf, &mut out[start..], &|i| {
                        max.set(max.get().max(i));
                        lut[i as usize & mask]
                    })?;
                    if max.get() as usize >= self.dict.len() {
                        return unsupported();
                    }
                }
                Values::Dict(rle) => {
                    if chunk.idx.len() < k {
                        chunk.idx.resize(k, 0);
                    }
                    let idx = &mut chunk.idx[..k];
                    rle.fill(buf, idx)?;
                    let dict = &self.dict;
                    if idx.iter().fold(0, |m, &i| m.max(i)) as usize >= dict.len() {
                        return unsupported();
                    }
                    out.extend(idx.iter().map(|&i| dict[i as usize]));
                }
                Values::Delta(d) => d.fill(buf, out, k)?,
                _ => return unsupported(),
            }
        }
        Ok(())
    }
}

/// The eight Booleans of each byte of PLAIN-encoded Booleans, least significant bit first.
const BITS: [[bool; 8]; 256] = {
    let mut t = [[false; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut k = 0;
        while k < 8 {
            t[b][k] = (b >> k) & 1 == 1;
            k += 1;
        }
        b += 1;
    }
    t
};

/// A required Boolean column.
pub(crate) struct Bools {
    chunk: Chunk,
}

impl Bools {
    /// Opens `column` of the row group.
    pub(crate) fn open(rg: &Group<'_>, column: usize) -> R<Self> {
        Ok(Bools {
            chunk: Chunk::new(rg, column, PhysicalType::BOOLEAN)?,
        })
    }

    /// Reads the next `n` values into `out` (after clearing it).
    pub(crate) fn read(&mut self, n: usize, out: &mut Vec<bool>) -> R<()> {
        out.clear();
        out.reserve(n);
        while out.len() < n {
            if self.chunk.rows_left == 0 {
                self.chunk.next_page(&mut |_, _| unsupported())?;
                if let Values::Plain { pos, end } = self.chunk.values {
                    self.chunk.values = Values::Bits { bit: pos * 8, end };
                }
            }
            let k = self.chunk.rows_left.min(n - out.len());
            if self.chunk.levels(k)? != k {
                return unsupported();
            }
            self.chunk.rows_left -= k;
            let chunk = &mut self.chunk;
            let buf: &[u8] = match &chunk.page {
                Some(Page::DataPage { buf, .. } | Page::DataPageV2 { buf, .. }) => buf,
                _ => return unsupported(),
            };
            match &mut chunk.values {
                Values::Bits { bit, end } => {
                    if (*bit + k).div_ceil(8) > *end {
                        return unsupported();
                    }
                    let (b, e) = (*bit, *bit + k);
                    let at = |j: usize| (buf[j >> 3] >> (j & 7)) & 1 == 1;
                    let mut j = b;
                    while j < e && j & 7 != 0 {
                        out.push(at(j));
                        j += 1;
                    }
                    // Whole bytes, eight values each.
                    for &byte in &buf[j >> 3..e >> 3] {
                        out.extend_from_slice(&BITS[usize::from(byte)]);
                    }
                    j = j.max(e & !7);
                    while j < e {
                        out.push(at(j));
                        j += 1;
                    }
                    *bit = e;
                }
                Values::BoolRle(rle) => {
                    if chunk.idx.len() < k {
                        chunk.idx.resize(k, 0);
                    }
                    let idx = &mut chunk.idx[..k];
                    rle.fill(buf, idx)?;
                    out.extend(idx.iter().map(|&v| v == 1));
                }
                _ => return unsupported(),
            }
        }
        Ok(())
    }
}

/// The optional `area_id` column (a string), mapped to area indices; `none` for an empty cell.
pub(crate) struct AreaColumn<'a> {
    chunk: Chunk,
    index: &'a HashMap<&'a str, u32>,
    none: u32,
    /// The dictionary: each value's area index, or its text when it names no area.
    dict: Vec<Result<u32, String>>,
    /// The dictionary as a look-up table: each value's area index, or [`NOT_AN_AREA`] with
    /// its position in `dict`; padded with [`NO_ENTRY`] to a power of two.
    lut: Vec<u32>,
}

/// In [`AreaColumn::lut`]: the bit that marks a value naming no area (the rest is its
/// position in the dictionary). Area indices are far below it.
const NOT_AN_AREA: u32 = 1 << 31;
/// In [`AreaColumn::lut`]: past the end of the dictionary.
const NO_ENTRY: u32 = u32::MAX - 1;

impl<'a> AreaColumn<'a> {
    /// Opens `column` of the row group.
    pub(crate) fn open(
        rg: &Group<'_>,
        column: usize,
        index: &'a HashMap<&'a str, u32>,
        none: u32,
    ) -> R<Self> {
        Ok(AreaColumn {
            chunk: Chunk::new(rg, column, PhysicalType::BYTE_ARRAY)?,
            index,
            none,
            dict: Vec::new(),
            lut: Vec::new(),
        })
    }

    /// Reads the next `n` rows' area indices into `out` (after clearing it).
    /// `Err(Invalid((row, id)))` names the first row (0-based, within these `n`) whose id is no
    /// area's.
    pub(crate) fn read(
        &mut self,
        n: usize,
        out: &mut Vec<u32>,
    ) -> Result<(), Fast<(usize, String)>> {
        let unsup = |_| Fast::Unsupported;
        out.clear();
        out.reserve(n);
        while out.len() < n {
            if self.chunk.rows_left == 0 {
                let (dict, lut, index) = (&mut self.dict, &mut self.lut, self.index);
                self.chunk
                    .next_page(&mut |buf, count| {
                        dict.clear();
                        lut.clear();
                        let mut pos = 0;
                        for _ in 0..count {
                            let (s, next) = byte_array(buf, pos)?;
                            pos = next;
                            dict.push(
                                std::str::from_utf8(s)
                                    .ok()
                                    .and_then(|s| index.get(s).copied())
                                    .ok_or_else(|| String::from_utf8_lossy(s).into_owned()),
                            );
                        }
                        if count >= NOT_AN_AREA as usize
                            || dict
                                .iter()
                                .any(|d| d.as_ref().is_ok_and(|&a| a >= NOT_AN_AREA))
                        {
                            return Ok(()); // no table: the look-ups below check each value
                        }
                        lut.extend(dict.iter().enumerate().map(|(i, d)| match d {
                            Ok(a) => *a,
                            Err(_) => NOT_AN_AREA | i as u32,
                        }));
                        if !lut.is_empty() {
                            lut.resize(lut.len().next_power_of_two(), NO_ENTRY);
                        }
                        Ok(())
                    })
                    .map_err(unsup)?;
            }
            let k = self.chunk.rows_left.min(n - out.len());
            let present = self.chunk.levels(k).map_err(unsup)?;
            self.chunk.rows_left -= k;
            let start = out.len();
            let chunk = &mut self.chunk;
            let buf: &[u8] = match &chunk.page {
                Some(Page::DataPage { buf, .. } | Page::DataPageV2 { buf, .. }) => buf,
                _ => return Err(Fast::Unsupported),
            };
            // The present values, in order.
            match &mut chunk.values {
                Values::Dict(rle) if rle.width <= 16 && (1usize << rle.width) <= self.lut.len() => {
                    // Unpacked and looked up in one pass; a value that names no area, or none
                    // of the dictionary, is then found in one more.
                    let (lut, mask) = (&self.lut, self.lut.len() - 1);
                    out.resize(start + present, 0);
                    rle.fill_map(buf, &mut out[start..], &|i| lut[i as usize & mask])
                        .map_err(unsup)?;
                    if out[start..].iter().fold(0, |m, &c| m.max(c)) >= NOT_AN_AREA {
                        let j = out[start..]
                            .iter()
                            .position(|&c| c >= NOT_AN_AREA)
                            .expect("found");
                        let c = out[start + j];
                        return Err(match self.dict.get((c & !NOT_AN_AREA) as usize) {
                            Some(Err(id)) if c != NO_ENTRY => Fast::Invalid((
                                row_of(&chunk.levels, chunk.defs.is_some(), j) + start,
                                id.clone(),
                            )),
                            _ => Fast::Unsupported,
                        });
                    }
                }
                Values::Dict(rle) => {
                    chunk.idx.clear();
                    chunk.idx.resize(present, 0);
                    rle.fill(buf, &mut chunk.idx).map_err(unsup)?;
                    for (j, &i) in chunk.idx.iter().enumerate() {
                        match self.dict.get(i as usize) {
                            Some(Ok(a)) => out.push(*a),
                            Some(Err(id)) => {
                                return Err(Fast::Invalid((
                                    row_of(&chunk.levels, chunk.defs.is_some(), j) + start,
                                    id.clone(),
                                )));
                            }
                            None => return Err(Fast::Unsupported),
                        }
                    }
                }
                Values::Plain { pos, .. } => {
                    let mut last: Option<(&[u8], u32)> = None;
                    for j in 0..present {
                        let (s, next) = byte_array(buf, *pos).map_err(unsup)?;
                        *pos = next;
                        let code = match last {
                            Some((prev, c)) if prev == s => c,
                            _ => match std::str::from_utf8(s)
                                .ok()
                                .and_then(|t| self.index.get(t).copied())
                            {
                                Some(c) => c,
                                None => {
                                    return Err(Fast::Invalid((
                                        row_of(&chunk.levels, chunk.defs.is_some(), j) + start,
                                        String::from_utf8_lossy(s).into_owned(),
                                    )));
                                }
                            },
                        };
                        last = Some((s, code));
                        out.push(code);
                    }
                }
                _ => return Err(Fast::Unsupported),
            }
            // Spread the present values over the rows, empty cells as `none`.
            // In place, from the last row back: a value moves only to its own row or a later one.
            if present < k {
                out.resize(start + k, self.none);
                let mut j = present;
                for (r, &l) in chunk.levels.iter().enumerate().rev() {
                    if l == 1 {
                        j -= 1;
                        out[start + r] = out[start + j];
                    } else {
                        out[start + r] = self.none;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The row (0-based, within the levels read) of the `j`-th present value.
fn row_of(levels: &[u32], has_levels: bool, j: usize) -> usize {
    if !has_levels {
        return j;
    }
    levels
        .iter()
        .enumerate()
        .filter(|(_, l)| **l == 1)
        .nth(j)
        .map_or(j, |(i, _)| i)
}

/// A PLAIN byte array at `pos`: the bytes and the position after them.
fn byte_array(buf: &[u8], pos: usize) -> R<(&[u8], usize)> {
    let Some(b) = buf.get(pos..pos + 4) else {
        return unsupported();
    };
    let len = u32::from_le_bytes(b.try_into().expect("4")) as usize;
    match buf.get(pos + 4..pos + 4 + len) {
        Some(s) => Ok((s, pos + 4 + len)),
        None => unsupported(),
    }
}

/// One row group being read by the fast path: its metadata, and the file its column chunks
/// are read from (one handle per row group, so that threads do not share a file position).
pub(crate) struct Group<'a> {
    meta: &'a RowGroupMetaData,
    file: Arc<std::fs::File>,
}

impl<'a> Group<'a> {
    /// Opens row group `g` of the file at `path`, whose metadata is `meta`.
    pub(crate) fn open(path: &std::path::Path, meta: &'a ParquetMetaData, g: usize) -> R<Self> {
        if g >= meta.num_row_groups() {
            return unsupported();
        }
        let file = std::fs::File::open(path).or_else(|_| unsupported())?;
        Ok(Group {
            meta: meta.row_group(g),
            file: Arc::new(file),
        })
    }

    /// The number of rows.
    pub(crate) fn rows(&self) -> i64 {
        self.meta.num_rows()
    }
}

/// Bytes read at a time from a column chunk (more when a page is larger).
const WINDOW: usize = 64 << 10;
/// Bytes a page header may take: a window that holds fewer after the header's start (and
/// does not reach the chunk's end) is not used for it; a larger header fails to decode, and
/// the file goes to the general path.
const HEADER: usize = 4 << 10;

/// The pages of one column chunk as the `parquet` crate's page reader asks for them, read from
/// the file a window at a time: one read for several small pages (or for a large page and the
/// next page's header), handed out as slices of the window without another copy. The `File`
/// reader of the `parquet` crate instead duplicates the file handle, seeks, reads and closes it
/// for every page header and every page.
struct ColumnBytes {
    file: Arc<std::fs::File>,
    /// The end of the column chunk in the file: no read goes past it.
    end: u64,
    /// Where in the file the window starts, its bytes, and the window before it (whose
    /// memory the next window reuses once no page of it is held any more).
    window: Mutex<(u64, Bytes, Bytes)>,
}

impl ColumnBytes {
    /// The bytes from `start` on, at least `need` of them.
    fn at(&self, start: u64, need: usize) -> parquet::errors::Result<Bytes> {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let (at, bytes, _) = &*w;
        if start >= *at && start - at + need as u64 <= bytes.len() as u64 {
            return Ok(bytes.slice((start - at) as usize..));
        }
        let len = ((need + HEADER).max(WINDOW) as u64)
            .min(self.end.saturating_sub(start))
            .max(need as u64);
        // The memory of the window before last, if nothing holds it any more (fresh memory
        // would be zeroed by the kernel first), and one read for the whole window
        // (`read_to_end` would read it in growing pieces).
        let len = len as usize;
        let mut buf = match std::mem::take(&mut w.2).try_into_mut() {
            Ok(b) => b,
            Err(_) => bytes::BytesMut::new(),
        };
        if buf.len() < len {
            buf.resize(len, 0);
        }
        buf.truncate(len);
        let mut f = &*self.file;
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut buf)?;
        let bytes = buf.freeze();
        let previous = std::mem::replace(&mut w.1, bytes.clone());
        *w = (start, bytes.clone(), previous);
        Ok(bytes)
    }
}

impl Length for ColumnBytes {
    fn len(&self) -> u64 {
        self.end
    }
}

impl ChunkReader for ColumnBytes {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        let need = (HEADER as u64).min(self.end.saturating_sub(start)) as usize;
        Ok(self.at(start, need)?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        Ok(self.at(start, length)?.slice(..length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, Int16Array, Int64Array, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use std::sync::Arc;

    /// Writes `ids` (INT64) and `small` (INT32) as DELTA_BINARY_PACKED in `path`, and reads both
    /// back through the fast path's decoder, `per_read` values at a time.
    fn round_trip(
        path: &std::path::Path,
        ids: &[i64],
        props: WriterProperties,
        per_read: usize,
    ) -> (Vec<u64>, Vec<i16>) {
        let small: Vec<i16> = ids.iter().map(|&v| v as i16).collect();
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("small", DataType::Int16, false),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(ids.to_vec())),
            Arc::new(Int16Array::from(small)),
        ];
        let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
        let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, Some(props))
            .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let file = std::fs::File::open(path).unwrap();
        let meta = parquet::file::metadata::ParquetMetaDataReader::new()
            .parse_and_finish(&file)
            .unwrap();
        let (mut got_ids, mut got_small) = (Vec::new(), Vec::new());
        for g in 0..meta.num_row_groups() {
            let Ok(rg) = Group::open(path, &meta, g) else {
                panic!("row group {g}")
            };
            let rows = rg.rows() as usize;
            let (Ok(mut a), Ok(mut b)) = (Column::<u64>::open(&rg, 0), Column::<i16>::open(&rg, 1))
            else {
                panic!("open")
            };
            let (mut x, mut y) = (Vec::new(), Vec::new());
            let mut done = 0;
            while done < rows {
                let n = per_read.min(rows - done);
                assert!(a.read(n, &mut x).is_ok(), "ids at {done}");
                assert!(b.read(n, &mut y).is_ok(), "small at {done}");
                got_ids.extend_from_slice(&x);
                got_small.extend_from_slice(&y);
                done += n;
            }
        }
        (got_ids, got_small)
    }

    /// The fast path's DELTA_BINARY_PACKED decoder gives back what the writer wrote: rising
    /// ids, ids that fall and jump by the whole 64-bit range, and 32-bit values that wrap, over
    /// pages and row groups of odd sizes and reads that straddle pages.
    #[test]
    fn delta_binary_packed_values_decode_as_written() {
        let dir = std::env::temp_dir().join(format!("kvarter-data-delta-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("delta.parquet");
        let n = 50_003usize;
        let rising: Vec<i64> = (0..n as i64).map(|i| 1 + i * 3 + (i * i) % 5).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let wild: Vec<i64> = (0..n)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                match i % 7 {
                    0 => i64::MIN + (state % 3) as i64,
                    1 => i64::MAX - (state % 3) as i64,
                    2 => -(i as i64),
                    _ => (state >> (i % 64)) as i64,
                }
            })
            .collect();
        let delta = |b: parquet::file::properties::WriterPropertiesBuilder| {
            b.set_dictionary_enabled(false)
                .set_encoding(Encoding::DELTA_BINARY_PACKED)
                .build()
        };
        let layouts = [
            (delta(WriterProperties::builder()), 8192),
            (
                delta(
                    WriterProperties::builder()
                        .set_data_page_row_count_limit(333)
                        .set_write_batch_size(97)
                        .set_max_row_group_row_count(Some(7001)),
                ),
                1000,
            ),
            (
                delta(
                    WriterProperties::builder()
                        .set_writer_version(WriterVersion::PARQUET_2_0)
                        .set_data_page_row_count_limit(4000)
                        .set_write_batch_size(512),
                ),
                777,
            ),
        ];
        for (props, per_read) in layouts {
            for ids in [&rising, &wild] {
                let (got, small) = round_trip(&path, ids, props.clone(), per_read);
                let want: Vec<u64> = ids.iter().map(|&v| v as u64).collect();
                assert_eq!(got, want);
                let want: Vec<i16> = ids.iter().map(|&v| v as i16).collect();
                assert_eq!(small, want);
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
