package io.ringkv.storage;

class MemoryEngineContractTest extends EngineContractTest {

    @Override
    protected Engine newEngine() {
        return new MemoryEngine();
    }
}
