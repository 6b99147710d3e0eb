/** The zip record signatures and fixed record sizes (APPNOTE 6.3.x, §4.3), shared by reader and writer. */
export const SIG_LOCAL = 0x04034b50;
export const SIG_DESCRIPTOR = 0x08074b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;

export const LOCAL_SIZE = 30;
export const CENTRAL_SIZE = 46;
export const ZIP64_EOCD_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;
export const EOCD_SIZE = 22;

export const METHOD_STORED = 0;
/** A 16- or 32-bit field at its maximum means "see the zip64 extra field". */
export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;
