package io.ringkv.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real files, plus a record of how much of each one an fsync has covered, so that {@link #crash}
 * can do what a power loss may do: drop every byte written since the last fsync. (A real crash
 * may keep some of them, or keep garbage; the torn-tail tests cover that.)
 */
final class CrashingDisk {

    private final Map<Path, Long> synced = new ConcurrentHashMap<>();

    CommitLog.ChannelOpener opener() {
        return (file, options) -> new Tracked(file, FileChannel.open(file, options));
    }

    /** Cuts every file this disk opened back to its synced length. Call with the log abandoned. */
    void crash() throws IOException {
        for (Map.Entry<Path, Long> e : synced.entrySet()) {
            if (Files.exists(e.getKey())) {
                try (FileChannel ch = FileChannel.open(e.getKey(), java.nio.file.StandardOpenOption.WRITE)) {
                    ch.truncate(e.getValue());
                }
            }
        }
    }

    private final class Tracked extends FileChannel {
        private final Path file;
        private final FileChannel delegate;

        Tracked(Path file, FileChannel delegate) throws IOException {
            this.file = file;
            this.delegate = delegate;
            // A file opened (not created) by replay is synced as it is; a new one holds nothing.
            synced.putIfAbsent(file, delegate.size());
        }

        @Override
        public void force(boolean metaData) throws IOException {
            // What was written before the fsync began is durable after it; later writes may not be.
            long size = delegate.size();
            delegate.force(metaData);
            synced.merge(file, size, Math::max);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            delegate.truncate(size);
            synced.merge(file, size, Math::min);
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return delegate.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return delegate.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return delegate.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return delegate.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return delegate.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return delegate.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new UnsupportedOperationException("the commit log does not map files");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            delegate.close();
        }
    }
}
