package io.ringkv.server.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The connected clients, by id: for CLIENT LIST / KILL, maxclients and the idle sweep. */
public final class ClientRegistry {

    private final Map<Long, ClientSession> clients = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    public long nextId() {
        return nextId.getAndIncrement();
    }

    public void add(ClientSession session) {
        clients.put(session.id(), session);
    }

    public void remove(ClientSession session) {
        clients.remove(session.id());
    }

    public int count() {
        return clients.size();
    }

    public ClientSession byId(long id) {
        return clients.get(id);
    }

    public Collection<ClientSession> all() {
        return clients.values();
    }

    /** The clients ordered by id, as CLIENT LIST prints them. */
    public List<ClientSession> sortedById() {
        List<ClientSession> list = new ArrayList<>(clients.values());
        list.sort(Comparator.comparingLong(ClientSession::id));
        return list;
    }
}
