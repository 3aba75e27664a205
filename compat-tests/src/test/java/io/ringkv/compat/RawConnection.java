package io.ringkv.compat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare TCP connection to a server for byte-level tests: send exact bytes, read exact bytes.
 * Every read has a deadline (the socket timeout), so a server that never answers fails the
 * test instead of hanging it.
 */
final class RawConnection implements AutoCloseable {

    /** How long any single read may wait unless a test asks otherwise. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    /** What a connection received before it was closed (or before the wait ran out). */
    record Received(byte[] bytes, boolean closed) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** A RESP error reply, kept apart from a simple string so tests can tell them apart. */
    record ErrorReply(String message) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawConnection open(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_TIMEOUT.toMillis());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            return new RawConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    RawConnection send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    RawConnection send(String ascii) throws IOException {
        return send(ascii.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one command as a RESP array of bulk strings. */
    RawConnection command(String... args) throws IOException {
        return send(encode(args));
    }

    static byte[] encode(String... args) {
        StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            b.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends a command and reads its reply. */
    Object call(String... args) throws IOException {
        command(args);
        return readReply();
    }

    /** Reads exactly {@code n} bytes (fails on a timeout or an early close). */
    byte[] readExactly(int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException("connection closed after " + bytes.length + " of " + n + " bytes: "
                + new String(bytes, StandardCharsets.UTF_8));
        }
        return bytes;
    }

    /**
     * Reads until the server closes the connection or {@code wait} passes. A reset counts as a
     * close (the server may reset when it closes with unread input, as Redis does).
     */
    Received readUntilClosed(Duration wait) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return new Received(received.toByteArray(), false);
                }
                socket.setSoTimeout((int) Math.max(1, left));
                int b = in.read();
                if (b < 0) {
                    return new Received(received.toByteArray(), true);
                }
                received.write(b);
            }
        } catch (SocketTimeoutException e) {
            return new Received(received.toByteArray(), false);
        } catch (SocketException e) {
            return new Received(received.toByteArray(), true);
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            }
        }
    }

    /** True if nothing arrives and the connection stays open for {@code wait}. */
    boolean staysSilentAndOpen(Duration wait) throws IOException {
        Received r = readUntilClosed(wait);
        return r.bytes().length == 0 && !r.closed();
    }

    /** Reads one RESP2 reply: String, Long, ErrorReply, null, or List of those. */
    Object readReply() throws IOException {
        String line = readLine();
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+':
                return rest;
            case '-':
                return new ErrorReply(rest);
            case ':':
                return Long.parseLong(rest);
            case '$': {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = readExactly(length + 2);
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*': {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(length);
                for (int i = 0; i < length; i++) {
                    items.add(readReply());
                }
                return items;
            }
            default:
                throw new IOException("not a RESP reply: " + line);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed; read so far: " + line);
            }
            if (b == '\r') {
                int next = in.read();
                if (next != '\n') {
                    throw new IOException("CR not followed by LF after: " + line);
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
