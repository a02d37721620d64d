import numpy as np
import keras
from keras import layers

inputs = {
    "pixels": keras.Input(shape=(784,), name="pixels"),
    "metadata": keras.Input(shape=(8,), name="metadata"),
}
x = layers.Dense(256, activation="relu", name="img_fc1")(inputs["pixels"])
x = layers.Dense(64, activation="relu", name="img_fc2")(x)
m = layers.Dense(16, activation="relu", name="meta_fc")(inputs["metadata"])
merged = layers.Concatenate(axis=-1, name="merge")([x, m])

two_headed = keras.Model(
    inputs=inputs,
    outputs={
        "digit": layers.Dense(10, activation="softmax", name="digit")(merged),
        "is_hard": layers.Dense(1, activation="sigmoid", name="is_hard")(merged),
    },
    name="two_headed_mlp",
)

two_headed.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"], "is_hard": [keras.metrics.BinaryAccuracy()]},
)

n = 64
fake = {"pixels": np.random.rand(n, 784).astype("float32"),
        "metadata": np.random.rand(n, 8).astype("float32")}
fake_y = {"digit": np.random.randint(0, 10, size=(n,)),
          "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32")}
two_headed.fit(fake, fake_y, epochs=1, batch_size=32, verbose=0)
preds = two_headed.predict(fake, verbose=0)
print({k: v.shape for k, v in preds.items()})
