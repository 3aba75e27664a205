package io.ringkv.storage.sstable;

/** STANDIN: replaced by part B. */
public enum Compression { NONE, LZ4 }
