import numpy as np
import keras

L = keras.layers
pixels = L.Input(shape=[784], name="pixels")
metadata = L.Input(shape=[8], name="metadata")
x = L.Dense(256, activation="relu")(pixels)
x = L.Dense(64, activation="relu")(x)
m = L.Dense(16, activation="relu")(metadata)
z = L.concatenate([x, m], name="merged")
two_headed = keras.Model(inputs=[pixels, metadata],
                         outputs=[L.Dense(10, activation="softmax", name="digit")(z),
                                  L.Dense(1, activation="sigmoid", name="is_hard")(z)])
# loss list in output order, weights by name
two_headed.compile(optimizer="adam",
                   loss=["sparse_categorical_crossentropy", "binary_crossentropy"],
                   loss_weights={"digit": 1, "is_hard": 0.3},
                   metrics={"digit": "accuracy"})
n = 64
X = {"pixels": np.random.rand(n, 784).astype("float32"), "metadata": np.random.rand(n, 8).astype("float32")}
Y = [np.random.randint(0, 10, size=n), np.random.randint(0, 2, size=(n, 1)).astype("float32")]
two_headed.fit(X, Y, epochs=1, batch_size=16, verbose=0)
