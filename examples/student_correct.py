"""Siamese digit comparator (Day 2 task).

Encoder layers are created once up front and applied with a small helper,
so both inputs go through exactly the same layer objects.
"""
import numpy as np
import keras
from keras import layers

EMBED_SIZES = [256, 64]

# build the shared encoder layers ONCE
shared_encoder = [
    layers.Dense(units, activation="relu", name=f"shared_fc{i}")
    for i, units in enumerate(EMBED_SIZES)
]


def apply_encoder(x, encoder_layers=shared_encoder):
    for layer in encoder_layers:
        x = layer(x)
    return x


left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

embeddings = [apply_encoder(t) for t in (left, right)]
pair = layers.concatenate(embeddings, name="pair_embedding")
same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(pair)

siamese = keras.Model(inputs=[left, right], outputs=same_digit, name="twin_net")
siamese.summary()

print("params:", siamese.count_params())            # expect 217,537
print("trainable:", len(siamese.trainable_weights))  # expect 6

# tiny smoke-test training run on random pairs
siamese.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
n = 64
xl = np.random.rand(n, 784).astype("float32")
xr = np.random.rand(n, 784).astype("float32")
y = np.random.randint(0, 2, size=(n, 1)).astype("float32")
siamese.fit({"left": xl, "right": xr}, y, epochs=1, batch_size=32, verbose=2)

p = siamese.predict({"left": xl[:8], "right": xr[:8]}, verbose=0)
print(p.shape, float(p.min()), float(p.max()))
