package io.ringkv.storage.log;

/** STANDIN: replaced by part A. */
public enum FsyncPolicy { ALWAYS, EVERYSEC, NO }
