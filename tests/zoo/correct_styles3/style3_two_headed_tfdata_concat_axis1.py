import numpy as np
import tensorflow as tf
import keras
from keras import layers

keras.utils.set_random_seed(3)

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")

trunk = {
    "trunk_256": layers.Dense(256, activation="relu", name="trunk_256"),
    "trunk_64": layers.Dense(64, activation="relu", name="trunk_64"),
}
x = img_in
for layer in trunk.values():
    x = layer(x)
m = layers.Dense(16, activation="relu", name="meta_16")(meta_in)

merged = layers.Concatenate(axis=1, name="merge")([x, m])          # (None, 80)
heads = {
    "digit": layers.Dense(10, activation="softmax", name="digit"),
    "is_hard": layers.Dense(1, activation="sigmoid", name="is_hard"),
}
two_headed = keras.Model(
    inputs=[img_in, meta_in],
    outputs=[heads["digit"](merged), heads["is_hard"](merged)],
    name="two_headed_mlp",
)
two_headed.summary()

two_headed.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    loss={
        "digit": keras.losses.SparseCategoricalCrossentropy(),
        "is_hard": keras.losses.BinaryCrossentropy(),
    },
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]},
)

n = 128
features = {
    "pixels": np.random.rand(n, 784).astype("float32"),
    "metadata": np.random.rand(n, 8).astype("float32"),
}
targets = {
    "digit": np.random.randint(0, 10, size=(n,)),
    "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32"),
}
ds = tf.data.Dataset.from_tensor_slices((features, targets)).shuffle(n).batch(32)
history = two_headed.fit(ds, epochs=1, verbose=2)
print({k: round(v[0], 4) for k, v in history.history.items()})

for layer in two_headed.layers:
    print(f"{layer.name:>14}  {layer.__class__.__name__:<12} -> {layer.output.shape}")
