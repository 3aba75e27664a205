package io.ringkv.cluster.stream;

import io.ringkv.cluster.replica.ReplicaStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one page of a slot from this node's replica store, and merges a page into it: the two
 * ends of a transfer, whether the other end is local or remote.
 *
 * <p>A page is the records whose keys sort after a cursor. The engine's slot scan has no
 * starting point, so each page scans the whole slot and keeps the smallest keys past the
 * cursor: quadratic in a slot's pages, which is fine because slots are small (a 16384th of a
 * node's data: about 60 KB per GB) and a page holds a whole typical slot.
 */
public final class SlotPages {

    private SlotPages() {
    }

    /**
     * Pages for the slots asked, in order, until about {@code maxBytes} are in them (at least
     * one slot answered); the caller asks again for the slots not answered.
     */
    public static List<StreamMessages.Page> read(ReplicaStore replicas, List<StreamMessages.SlotCursor> slots,
                                                 int maxBytes) {
        List<StreamMessages.Page> pages = new ArrayList<>();
        long used = 0;
        for (StreamMessages.SlotCursor c : slots) {
            if (!pages.isEmpty() && used >= maxBytes) {
                break;
            }
            StreamMessages.Page page = read(replicas, c.slot(), c.after(), (int) Math.max(1, maxBytes - used));
            pages.add(page);
            used += page.bytes() + 4;
        }
        return pages;
    }

    public static StreamMessages.Page read(ReplicaStore replicas, int slot, byte[] after, int maxBytes) {
        List<StreamMessages.Entry> all = new ArrayList<>();
        replicas.engine().forEachInSlot(slot, (key, record) -> {
            if (after == null || Arrays.compareUnsigned(key, after) > 0) {
                all.add(new StreamMessages.Entry(key, record.value()));
            }
        });
        all.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        List<StreamMessages.Entry> page = new ArrayList<>();
        long bytes = 0;
        for (StreamMessages.Entry e : all) {
            if (!page.isEmpty() && bytes + e.bytes() > maxBytes) {
                break;
            }
            page.add(e);
            bytes += e.bytes();
        }
        return new StreamMessages.Page(slot, page, page.size() < all.size());
    }

    /**
     * Merges every record of the pages (siblings merge, so a page applied twice changes nothing)
     * and returns once they are durable: the sender counts the slot as moved when this returns.
     * The page is one batch for the commit log rather than one write per record.
     */
    public static void write(ReplicaStore replicas, List<StreamMessages.Page> pages) {
        replicas.engine().deferDurability();
        try {
            for (StreamMessages.Page page : pages) {
                for (StreamMessages.Entry e : page.entries()) {
                    replicas.mergeEncoded(page.slot(), e.key(), e.siblings());
                }
            }
        } finally {
            replicas.engine().resumeDurability();
        }
        replicas.engine().awaitDurable();
    }
}
